// kill -9 under load, ORION_CRASH_CYCLES times: a child process runs memory on the real embedded
// bus with publishers hammering three streams; a witness wrapped around the bus reports (through a
// pipe) every document whose acknowledgement memory allowed, i.e. whose before_ack returned OK.
// The parent kills the child at a random moment (every other child writes slowly, so the kill
// often tears a record), starts the next one on the same trail, and at the end checks that every
// acknowledged document is in the trail exactly once, that the chain verifies, and that the torn
// tails the kills left were repaired and recorded.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <random>
#include <set>
#include <thread>

#include "bus/embedded_bus.h"
#include "common/clock.h"
#include "common/ids.h"
#include "contracts/documents.h"
#include "contracts/registry.h"
#include "fakes.h"
#include "memory/audit_record.h"
#include "memory/memory.h"
#include "memory/memory_service.h"
#include "memory/segments.h"
#include "testing/temp_dir.h"

#ifndef ORION_CRASH_CYCLES
#define ORION_CRASH_CYCLES 20
#endif

namespace orion::memory {
namespace {

using namespace std::chrono_literals;

// Passes everything to the real bus; for memory's subscriptions, reports the ids of the
// deliveries each before_ack confirmed to `fd`, one "type id" line each.
class WitnessBus final : public bus::Bus {
 public:
  WitnessBus(bus::Bus& real, int fd) : real_(real), fd_(fd) {}

  Result<std::string> publish(std::string_view type, const Json& document) override {
    return real_.publish(type, document);
  }
  Result<std::unique_ptr<bus::Subscription>> subscribe(const bus::SubscribeOptions& options,
                                                       bus::Handler handler) override {
    if (!options.before_ack) return real_.subscribe(options, std::move(handler));
    auto accepted = std::make_shared<std::vector<std::string>>();
    bus::SubscribeOptions wrapped = options;
    wrapped.before_ack = [this, accepted, confirm = options.before_ack] {
      Status status = confirm();
      if (status) report(*accepted);
      accepted->clear();
      return status;
    };
    return real_.subscribe(wrapped, [accepted, handler](const bus::Delivery& delivery) {
      Status status = handler(delivery);
      if (status) {
        accepted->push_back(std::string(delivery.type) + " " +
                            documentId(delivery.type, *delivery.document));
      }
      return status;
    });
  }
  bus::GroupBacklog backlog(std::string_view type, std::string_view group) const override {
    return real_.backlog(type, group);
  }
  std::string_view kind() const override { return real_.kind(); }
  bool healthy() const override { return real_.healthy(); }

 private:
  // Writes of at most PIPE_BUF bytes to a pipe are atomic, so lines from several threads never mix.
  void report(const std::vector<std::string>& ids) const {
    std::string chunk;
    for (const std::string& id : ids) {
      if (chunk.size() + id.size() + 1 > PIPE_BUF) {
        writeAll(chunk);
        chunk.clear();
      }
      chunk += id + "\n";
    }
    if (!chunk.empty()) writeAll(chunk);
  }
  void writeAll(const std::string& bytes) const {
    size_t done = 0;
    while (done < bytes.size()) {
      ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
      if (n <= 0) return;
      done += static_cast<size_t>(n);
    }
  }

  bus::Bus& real_;
  int fd_;
};

// The child: never returns; the parent kills it. With `slow_disk`, each write is done in two
// halves 20 ms apart, and the child says "torn" on the witness pipe between them, so the parent
// can kill it in the middle of a record.
[[noreturn]] void runChild(const std::filesystem::path& dir, int witness_fd, bool slow_disk) {
  testing::FsFaults faults;
  faults.split_pause_us = slow_disk ? 20000 : 0;
  faults.on_split = [witness_fd] { (void)!::write(witness_fd, "torn\n", 5); };
  RealClock clock;
  MetricsRegistry metrics;
  auto contracts = contracts::ContractRegistry::loadEmbedded();
  if (!contracts) ::_exit(3);
  bus::EmbeddedBusOptions options;
  options.max_stream_length = 20000;
  options.when_full = bus::WhenFull::kBlock;
  options.block_timeout = 1s;
  auto real = bus::makeEmbeddedBus(options, *contracts, clock, metrics);
  WitnessBus bus(*real, witness_fd);
  config::MemoryConfig config;
  config.segment_max_mib = 1;  // rotations happen under load too
  config.sync_interval = 1ms;
  MemoryService memory(config, dir, ModuleContext{bus, clock, metrics, "core"},
                       std::make_shared<testing::FaultyFs>(faults));
  if (Status started = memory.start(); !started) {
    std::fprintf(stderr, "child: %s\n", started.message().c_str());
    ::_exit(4);
  }
  auto publishEvents = [&] {
    while (true) {
      contracts::Event event;
      event.event_id = newUuid();
      event.timestamp = clock.now();
      event.source = "orion-watcher-host";
      event.event_type = "metric_threshold_exceeded";
      event.severity = contracts::EventSeverity::kWarning;
      event.data = {{"resource", "/mnt/" + event.event_id.substr(0, 8)}, {"value", 93.5}};
      real->publish("event", event.toJson()).status().ignore();  // full: blocks, then retries
    }
  };
  auto publishChains = [&] {
    while (true) {
      contracts::Incident incident;
      incident.incident_id = newUuid();
      incident.timestamp = clock.now();
      incident.incident_type = "metric_anomaly";
      incident.severity = contracts::IncidentSeverity::kMedium;
      incident.event_ids = {newUuid()};
      incident.window_start = incident.window_end = clock.now();
      real->publish("incident", incident.toJson()).status().ignore();
      contracts::Decision decision;
      decision.decision_id = newUuid();
      decision.timestamp = clock.now();
      decision.incident_id = incident.incident_id;
      decision.reasoning = "N0: observe only, never act";
      real->publish("decision", decision.toJson()).status().ignore();
    }
  };
  std::thread events(publishEvents);
  std::thread chains(publishChains);
  while (true) ::pause();
}

// What the children confirmed, read from the pipe as it comes.
class Witness {
 public:
  explicit Witness(int fd) : fd_(fd) { ::fcntl(fd_, F_SETFL, O_NONBLOCK); }

  // Reads what is there (waiting up to `wait`); false at end of file.
  bool read(std::chrono::milliseconds wait) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(wait.count())) <= 0) return true;
    char buffer[65536];
    ssize_t n = ::read(fd_, buffer, sizeof buffer);
    if (n == 0) return false;
    if (n < 0) return errno == EAGAIN || errno == EINTR;
    pending_.append(buffer, static_cast<size_t>(n));
    size_t start = 0;
    while (true) {
      size_t end = pending_.find('\n', start);
      if (end == std::string::npos) break;
      std::string line = pending_.substr(start, end - start);
      if (line == "torn") {
        ++torn;
      } else {
        acked.insert(std::move(line));
      }
      start = end + 1;
    }
    pending_.erase(0, start);
    return true;
  }

  std::set<std::string> acked;
  int torn = 0;  // times the child was between the halves of a write

 private:
  int fd_;
  std::string pending_;
};

TEST(MemoryCrashTest, KillNineUnderLoadLosesNothingAcknowledged) {
  orion::testing::TempDir temp;
  std::filesystem::path dir = temp.path() / "audit";
  std::set<std::string> acked;
  std::mt19937 random(20260114);
  int cycles = ORION_CRASH_CYCLES;
  for (int cycle = 0; cycle < cycles; ++cycle) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      runChild(dir, fds[1], cycle % 2 == 0);  // every other child writes slowly
    }
    ::close(fds[1]);
    Witness witness(fds[0]);
    // Let it acknowledge a few hundred records, then kill it at a random moment after that.
    size_t before = acked.size();
    RealClock clock;
    MonoTime give_up = clock.monotonic() + 30s;
    while (witness.acked.size() < 200 && clock.monotonic() < give_up) {
      if (!witness.read(20ms)) break;
    }
    ASSERT_GE(witness.acked.size(), 200u) << "cycle " << cycle << ": the child acknowledged "
                                          << witness.acked.size() << " records in 30 s";
    bool slow = cycle % 2 == 0;
    if (slow) {
      // Kill it halfway through a write.
      int seen = witness.torn;
      while (witness.torn == seen && clock.monotonic() < give_up) witness.read(1ms);
    } else {
      MonoTime kill_at = clock.monotonic() + std::chrono::milliseconds(random() % 40);
      while (clock.monotonic() < kill_at) witness.read(1ms);
    }
    ASSERT_EQ(::kill(pid, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "cycle " << cycle << ": the child ended by itself, status " << status;
    while (witness.read(100ms)) {
    }
    ::close(fds[0]);
    acked.insert(witness.acked.begin(), witness.acked.end());
    ASSERT_GT(acked.size(), before);
  }

  // A last open repairs what the last kill tore, as the next `orion run` would.
  {
    RealClock clock;
    MetricsRegistry metrics;
    MemoryMetrics memory_metrics(metrics);
    WriterOptions options;
    options.dir = dir;
    Result<std::unique_ptr<AuditWriter>> writer =
        AuditWriter::open(options, makePosixAuditFs(), clock, memory_metrics);
    ASSERT_TRUE(writer) << writer.status().toString();
    (*writer)->close(clock.monotonic() + 5s);
  }
  Result<VerifyReport> report = verifyTrail({dir, std::nullopt});
  ASSERT_TRUE(report) << report.status().toString();
  EXPECT_TRUE(report->ok) << report->failure->what << " at seq " << report->failure->seq;
  EXPECT_TRUE(report->notes.empty()) << report->notes.front();

  // Every acknowledged document is there, once.
  std::map<std::string, int> recorded;
  auto fs = makePosixAuditFs();
  Result<std::vector<SegmentInfo>> segments = listSegments(*fs, dir);
  ASSERT_TRUE(segments);
  EXPECT_GT(segments->size(), 1u) << "the load rotated segments";
  size_t repairs = 0;
  for (const SegmentInfo& s : *segments) {
    std::string text = orion::testing::readFile(dir / s.name);
    size_t start = 0;
    while (start < text.size()) {
      size_t end = text.find('\n', start);
      Result<RecordView> view = viewRecord(std::string_view(text).substr(start, end - start));
      ASSERT_TRUE(view);
      if (view->type == "audit.repair") ++repairs;
      ++recorded[std::string(view->type) + " " + std::string(view->id)];
      start = end + 1;
    }
  }
  size_t missing = 0;
  for (const std::string& id : acked) {
    auto it = recorded.find(id);
    if (it == recorded.end()) {
      if (++missing <= 5) ADD_FAILURE() << "acknowledged but not in the trail: " << id;
      continue;
    }
    EXPECT_EQ(it->second, 1) << id << " recorded more than once";
  }
  EXPECT_EQ(missing, 0u) << "of " << acked.size() << " acknowledged documents";
  EXPECT_GE(repairs, static_cast<size_t>(cycles / 4))
      << "kills in the middle of a write left torn tails, repaired at the next start";
  std::cout << cycles << " kills, " << acked.size() << " acknowledged documents, "
            << report->records << " records, " << repairs << " torn tails repaired, "
            << segments->size() << " segments\n";

  // The index builds from what survived.
  Result<std::unique_ptr<AuditReader>> reader = AuditReader::open({dir, std::nullopt});
  ASSERT_TRUE(reader) << reader.status().toString();
  EXPECT_EQ((*reader)->lag(), 0u);
}

}  // namespace
}  // namespace orion::memory
