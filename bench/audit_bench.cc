// Audit trail bench: builds a trail of N records with the real group-commit writer on the real
// disk, then measures, and prints one JSON object:
//
//   group_commit      durable appends/s: P producer threads each submit windows of W records
//                     (a bus consumer's batch) and wait until the last is durable, as memory's
//                     bus handlers do; with batch and ack-latency figures, the mean write +
//                     fdatasync time of a batch, and the process's CPU time per record
//   fsync_per_record  the same writer on the same disk with one record per fdatasync
//                     (one producer submitting and waiting record by record)
//   verify            orion audit verify over the whole trail: records/s and MB/s
//   index             reindex over the whole trail: records/s and index bytes per record
//   query_incident    causal chain by incident id on the N-record trail: p50/p99/max ms
//
// Documents: chains of 2 events → incident → decision → action → outcome, every tenth with an
// approval request and decision (~450 bytes per record). Each producer builds its two chain
// shapes once and fills in each chain's ids and service: building nlohmann documents costs more
// than recording them, and in the daemon the bus, not memory, pays for a document's parse.
//
// Usage: audit_bench [--records N] [--producers P] [--window W] [--dir DIR] [--keep] [--reuse]
//                    [--fsync-records M] [--queries Q] [--verify-threads T] [--with-indexer]
//                    [--no-index]
// Defaults: 1,000,000 records, 8 producers, windows of 256, a temporary directory under
// $TMPDIR (deleted unless --keep), 2000 fsync-per-record records, 1000 queries, verification on
// every core. --reuse measures verify, index and query on the trail a --keep run left in DIR
// (the incidents to query are read back from it). --with-indexer runs the daemon's indexer beside
// the writer, as `orion run` does (the index then lags the log while the writer is busy).
// Run from a Release build on the disk the trail will live on.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/ids.h"
#include "common/json.h"
#include "common/logging.h"
#include "common/metrics.h"
#include "common/time.h"
#include "memory/audit_writer.h"
#include "memory/indexer.h"
#include "memory/memory.h"
#include "memory/memory_metrics.h"

namespace {

using namespace orion;
using namespace orion::memory;
using namespace std::chrono_literals;

struct Args {
  uint64_t records = 1'000'000;
  int producers = 8;
  size_t window = 256;
  std::string dir;
  bool keep = false;
  bool reuse = false;
  uint64_t fsync_records = 2000;
  size_t queries = 1000;
  unsigned verify_threads = 0;  // 0: every core
  bool with_indexer = false;
  bool index = true;  // --no-index: leave out the reindex and the queries (they need the index)
};

[[noreturn]] void usage() {
  std::fprintf(stderr,
               "usage: audit_bench [--records N] [--producers P] [--window W] [--dir DIR] "
               "[--keep] [--reuse] [--fsync-records M] [--queries Q] [--verify-threads T] "
               "[--with-indexer] [--no-index]\n");
  std::exit(2);
}

Args parseArgs(int argc, char** argv) {
  Args args;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "audit_bench: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--records") {
      args.records = std::stoull(next());
    } else if (a == "--producers") {
      args.producers = std::stoi(next());
    } else if (a == "--window") {
      args.window = std::stoul(next());
    } else if (a == "--dir") {
      args.dir = next();
    } else if (a == "--keep") {
      args.keep = true;
    } else if (a == "--reuse") {
      args.reuse = true;
    } else if (a == "--fsync-records") {
      args.fsync_records = std::stoull(next());
    } else if (a == "--queries") {
      args.queries = std::stoul(next());
    } else if (a == "--verify-threads") {
      args.verify_threads = static_cast<unsigned>(std::stoul(next()));
    } else if (a == "--with-indexer") {
      args.with_indexer = true;
    } else if (a == "--no-index") {
      args.index = false;
    } else {
      usage();
    }
  }
  if (args.reuse && args.dir.empty()) usage();
  return args;
}

// A fast, unique, UUID-shaped id: the bench measures the trail, not the random number generator
// (nor snprintf, which cost more than a tenth of the producers' time).
std::string idOf(uint64_t producer, uint64_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text = "xxxxxxxx-xxxx-4xxx-8xxx-xxxxxxxxxxxx";
  auto put = [&](size_t at, size_t digits, uint64_t value) {
    for (size_t i = digits; i-- > 0; value >>= 4) text[at + i] = kHex[value & 0xf];
  };
  put(0, 8, n & 0xffffffff);
  put(9, 4, (n >> 32) & 0xffff);
  put(15, 3, producer & 0xfff);
  put(20, 3, (n >> 48) & 0xfff);
  put(24, 12, n * 0x9e3779b97f4a7c15ULL & 0xffffffffffffULL);
  return text;
}

std::string serviceOf(uint64_t chain) { return "service-" + std::to_string(chain % 50); }

// The documents of one causal chain, in publication order: (type, document).
std::vector<std::pair<std::string_view, Json>> chainOf(uint64_t producer, uint64_t chain,
                                                       const std::string& now, bool approval) {
  uint64_t base = chain * 16;
  std::string e1 = idOf(producer, base), e2 = idOf(producer, base + 1);
  std::string incident = idOf(producer, base + 2), decision = idOf(producer, base + 3);
  std::string action = idOf(producer, base + 4), outcome = idOf(producer, base + 5);
  std::string service = serviceOf(chain);
  std::string node = "node-" + std::to_string(producer);
  auto event = [&](const std::string& id, double value) {
    return Json{{"version", "1.0"},
                {"event_id", id},
                {"timestamp", now},
                {"source", "orion-watcher-host"},
                {"event_type", "service_down"},
                {"severity", "error"},
                {"data",
                 {{"node", node},
                  {"service_name", service},
                  {"resource_type", "container"},
                  {"value", value},
                  {"detail", "health check failed: connection refused on port 8096"}}},
                {"tags", {{"node", node}}}};
  };
  std::vector<std::pair<std::string_view, Json>> out;
  out.emplace_back("event", event(e1, 1));
  out.emplace_back("event", event(e2, 2));
  out.emplace_back("incident", Json{{"version", "1.0"},
                                    {"incident_id", incident},
                                    {"timestamp", now},
                                    {"source", "orion-guardian"},
                                    {"incident_type", "service_outage"},
                                    {"severity", "high"},
                                    {"event_ids", {e1, e2}},
                                    {"correlation_window", {{"start", now}, {"end", now}}},
                                    {"state", "open"},
                                    {"tags", {{"node", node}}}});
  out.emplace_back(
      "decision",
      Json{{"version", "1.0"},
           {"decision_id", decision},
           {"timestamp", now},
           {"source", "orion-brain"},
           {"incident_id", incident},
           {"decision_type", approval ? "REQUEST_APPROVAL" : "EXECUTE_SAFE_ACTION"},
           {"safety_classification", approval ? "RISKY" : "SAFE"},
           {"requires_approval", approval},
           {"reasoning", "rule restart-on-outage matched; every gate passed"},
           {"proposed_action",
            {{"action_type", "restart_service"}, {"parameters", {{"service_name", service}}}}}});
  if (approval) {
    std::string request = idOf(producer, base + 6), answer = idOf(producer, base + 7);
    out.emplace_back("approval_request", Json{{"version", "1.0"},
                                              {"approval_request_id", request},
                                              {"timestamp", now},
                                              {"source", "orion-brain"},
                                              {"decision_id", decision},
                                              {"incident_id", incident},
                                              {"action_type", "restart_service"},
                                              {"risk_level", "RISKY"},
                                              {"expires_at", now}});
    out.emplace_back("approval_decision", Json{{"version", "1.0"},
                                               {"approval_id", answer},
                                               {"timestamp", now},
                                               {"source", "orion-approval-cli"},
                                               {"approval_request_id", request},
                                               {"decision_id", decision},
                                               {"decision", "approve"},
                                               {"admin_identity", "admin"},
                                               {"reason", "known flaky container"}});
  }
  out.emplace_back("action", Json{{"version", "1.0"},
                                  {"action_id", action},
                                  {"timestamp", now},
                                  {"source", "orion-brain"},
                                  {"decision_id", decision},
                                  {"action_type", "restart_service"},
                                  {"safety_classification", "SAFE"},
                                  {"state", "executing"},
                                  {"parameters", {{"service_name", service}}}});
  out.emplace_back("outcome", Json{{"version", "1.0"},
                                   {"outcome_id", outcome},
                                   {"timestamp", now},
                                   {"source", "orion-commander"},
                                   {"action_id", action},
                                   {"status", "succeeded"},
                                   {"execution_time_ms", 840}});
  return out;
}

// A producer's chains: chainOf() built once for each shape (with and without an approval), and
// the places holding chain 0's ids and service remembered, so each new chain only assigns those
// strings. The documents are exactly what chainOf(producer, chain, …) would build.
class ChainBuilder {
 public:
  static constexpr uint64_t kIdsPerChain = 8;

  ChainBuilder(uint64_t producer, const std::string& now) : producer_(producer) {
    for (bool approval : {false, true}) {
      Shape& shape = approval ? approval_ : plain_;
      shape.docs = chainOf(producer, 0, now, approval);
      std::map<std::string, size_t> slot_of;  // chain 0's values and their slot
      for (uint64_t k = 0; k < kIdsPerChain; ++k) slot_of[idOf(producer, k)] = k;
      slot_of[serviceOf(0)] = kIdsPerChain;
      for (auto& [type, doc] : shape.docs) remember(doc, slot_of, shape.slots);
    }
  }

  // The documents of chain `chain`, in publication order; valid until the next call.
  const std::vector<std::pair<std::string_view, Json>>& build(uint64_t chain) {
    Shape& shape = chain % 10 == 0 ? approval_ : plain_;
    std::string values[kIdsPerChain + 1];
    for (uint64_t k = 0; k < kIdsPerChain; ++k) values[k] = idOf(producer_, chain * 16 + k);
    values[kIdsPerChain] = serviceOf(chain);
    for (auto [place, slot] : shape.slots) *place = values[slot];
    return shape.docs;
  }

 private:
  struct Shape {
    std::vector<std::pair<std::string_view, Json>> docs;
    std::vector<std::pair<std::string*, size_t>> slots;
  };

  static void remember(Json& value, const std::map<std::string, size_t>& slot_of,
                       std::vector<std::pair<std::string*, size_t>>& slots) {
    if (value.is_string()) {
      auto it = slot_of.find(value.get_ref<const std::string&>());
      if (it != slot_of.end()) slots.emplace_back(&value.get_ref<std::string&>(), it->second);
    } else if (value.is_structured()) {
      for (Json& item : value) remember(item, slot_of, slots);
    }
  }

  uint64_t producer_;
  Shape plain_, approval_;
};

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  size_t index = static_cast<size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(index, values.size() - 1)];
}

double seconds(MonoTime from, MonoTime to) {
  return std::chrono::duration<double>(to - from).count();
}

double cpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto of = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return of(usage.ru_utime) + of(usage.ru_stime);
}

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "audit_bench: %s\n", what.c_str());
  std::exit(1);
}

std::unique_ptr<AuditWriter> openWriter(const std::filesystem::path& dir, const Clock& clock,
                                        MemoryMetrics& metrics, Duration sync_interval,
                                        Indexer* indexer = nullptr) {
  WriterOptions options;
  options.dir = dir;
  options.node = "bench";
  options.sync_interval = sync_interval;
  AuditWriter::DurableListener on_durable;
  if (indexer != nullptr) {
    on_durable = [indexer](std::vector<IndexRow>&& rows) { indexer->add(std::move(rows)); };
  }
  Result<std::unique_ptr<AuditWriter>> writer =
      AuditWriter::open(options, makePosixAuditFs(), clock, metrics, std::move(on_durable));
  if (!writer) die(writer.status().toString());
  return std::move(writer).value();
}

// The group-commit phase: P producers submitting windows of W records until N are durable.
Json groupCommit(const Args& args, const std::filesystem::path& trail, const Clock& clock,
                 std::vector<std::string>& incidents) {
  MetricsRegistry registry;
  MemoryMetrics metrics(registry);
  std::unique_ptr<Indexer> indexer;
  std::unique_ptr<AuditWriter> writer;
  if (args.with_indexer) {
    indexer = std::make_unique<Indexer>(trail, makePosixAuditFs(), metrics,
                                        [&writer] { return writer ? writer->durableSeq() : 0; });
  }
  writer = openWriter(trail, clock, metrics, 2ms, indexer.get());
  if (indexer) {
    if (Status started = indexer->start(); !started) die(started.toString());
  }
  std::string now = formatRfc3339(clock.now());
  std::atomic<uint64_t> submitted{0};
  std::mutex sample_mutex;
  std::vector<double> ack_ms;
  double cpu_started = cpuSeconds();
  MonoTime started = clock.monotonic();
  std::vector<std::thread> producers;
  for (int p = 0; p < args.producers; ++p) {
    producers.emplace_back([&, p] {
      std::vector<double> my_acks;
      std::vector<std::string> my_incidents;
      ChainBuilder chains(static_cast<uint64_t>(p), now);
      uint64_t chain = 0;
      const std::vector<std::pair<std::string_view, Json>>* pending = nullptr;
      size_t next = 0;
      while (submitted.load(std::memory_order_relaxed) < args.records) {
        MonoTime window_start = clock.monotonic();
        uint64_t last = 0;
        for (size_t i = 0; i < args.window; ++i) {
          if (pending == nullptr || next == pending->size()) {
            pending = &chains.build(chain);
            if (chain % 100 == 0) my_incidents.push_back((*pending)[2].second["incident_id"]);
            ++chain;
            next = 0;
          }
          const auto& [type, document] = (*pending)[next++];
          Result<Submitted> s = writer->submit(type, "0-0", document);
          if (!s) die(s.status().toString());
          last = s->seq;
          if (submitted.fetch_add(1, std::memory_order_relaxed) + 1 >= args.records) break;
        }
        if (Status durable = writer->waitDurable(last); !durable) die(durable.toString());
        my_acks.push_back(seconds(window_start, clock.monotonic()) * 1000);
      }
      std::lock_guard lock(sample_mutex);
      ack_ms.insert(ack_ms.end(), my_acks.begin(), my_acks.end());
      incidents.insert(incidents.end(), my_incidents.begin(), my_incidents.end());
    });
  }
  for (auto& t : producers) t.join();
  double group_seconds = seconds(started, clock.monotonic());
  double cpu = cpuSeconds() - cpu_started;
  auto durable_records = static_cast<double>(writer->durableSeq());
  uint64_t indexed_at_end = indexer ? indexer->indexedSeq() : 0;
  writer->close(clock.monotonic() + 10s);
  if (indexer) indexer->stop(clock.monotonic() + 600s, clock);
  double batches = static_cast<double>(metrics.sync_seconds.count());
  Json out = {{"records", durable_records},
              {"producers", args.producers},
              {"window", args.window},
              {"seconds", group_seconds},
              {"records_per_s", durable_records / group_seconds},
              {"batches", batches},
              {"records_per_batch", batches > 0 ? durable_records / batches : 0},
              {"sync_ms_mean", batches > 0 ? metrics.sync_seconds.sum() / batches * 1000 : 0},
              {"cpu_us_per_record", cpu / durable_records * 1e6},
              {"window_ack_p50_ms", percentile(ack_ms, 0.5)},
              {"window_ack_p99_ms", percentile(ack_ms, 0.99)}};
  if (indexer) {
    out["indexed_when_written"] = indexed_at_end;
    out["index_lag_seconds_after"] = seconds(started, clock.monotonic()) - group_seconds;
  }
  return out;
}

// One fsync per record: one producer submitting and waiting record by record.
Json fsyncPerRecord(const Args& args, const std::filesystem::path& dir, const Clock& clock) {
  MetricsRegistry registry;
  MemoryMetrics metrics(registry);
  auto single = openWriter(dir, clock, metrics, 0ms);
  ChainBuilder chains(999, formatRfc3339(clock.now()));
  MonoTime started = clock.monotonic();
  for (uint64_t i = 0; i < args.fsync_records; ++i) {
    const auto& chain = chains.build(i);
    Result<Submitted> s = single->submit(chain[0].first, "0-0", chain[0].second);
    if (!s) die(s.status().toString());
    if (Status durable = single->waitDurable(s->seq); !durable) die(durable.toString());
  }
  double elapsed = seconds(started, clock.monotonic());
  single->close(clock.monotonic() + 10s);
  return {{"records", args.fsync_records},
          {"seconds", elapsed},
          {"records_per_s", static_cast<double>(args.fsync_records) / elapsed}};
}

// Incidents of a trail written by an earlier run (--reuse), spread over its whole length as the
// write phase's every-hundredth-chain sample is.
std::vector<std::string> incidentsIn(const std::filesystem::path& trail, uint64_t last_seq,
                                     size_t want) {
  Result<std::unique_ptr<AuditReader>> reader = AuditReader::open({trail, std::nullopt});
  if (!reader) die(reader.status().toString());
  std::vector<std::string> out;
  for (size_t k = 0; k < want; ++k) {
    QueryFilter filter;
    filter.types = {"incident"};
    filter.after_seq = last_seq / want * k;
    filter.limit = 1;
    Result<std::vector<AuditRecord>> found = (*reader)->query(filter);
    if (!found) die(found.status().toString());
    if (!found->empty()) out.push_back(found->front().id);
  }
  return out;
}

Json queryIncidents(const std::filesystem::path& trail, std::vector<std::string> incidents,
                    size_t queries, const Clock& clock) {
  Result<std::unique_ptr<AuditReader>> reader = AuditReader::open({trail, std::nullopt});
  if (!reader) die(reader.status().toString());
  std::mt19937_64 random(42);
  std::shuffle(incidents.begin(), incidents.end(), random);
  if (incidents.size() > queries) incidents.resize(queries);
  std::vector<double> query_ms;
  size_t chain_records = 0;
  for (const std::string& id : incidents) {
    MonoTime t0 = clock.monotonic();
    Result<CausalChain> chain = (*reader)->causalChain(id);
    query_ms.push_back(seconds(t0, clock.monotonic()) * 1000);
    if (!chain || chain->empty()) die("incident " + id + " not found");
    chain_records += chain->ordered().size();
  }
  return {{"queries", query_ms.size()},
          {"records_per_chain",
           query_ms.empty() ? 0.0 : static_cast<double>(chain_records) / query_ms.size()},
          {"p50_ms", percentile(query_ms, 0.5)},
          {"p99_ms", percentile(query_ms, 0.99)},
          {"max_ms", query_ms.empty() ? 0.0 : *std::max_element(query_ms.begin(), query_ms.end())}};
}

}  // namespace

int main(int argc, char** argv) {
  Args args = parseArgs(argc, argv);
  LogSettings quiet;
  quiet.level = "error";
  configureLogging(quiet).ignore();  // a bench with default settings cannot fail this
  RealClock clock;
  std::filesystem::path root = args.dir.empty()
                                   ? std::filesystem::temp_directory_path() /
                                         ("orion-audit-bench-" + std::to_string(::getpid()))
                                   : std::filesystem::path(args.dir);
  std::filesystem::path trail = root / "trail";
  std::filesystem::create_directories(root);

  Json out = Json::object();
  std::vector<std::string> incidents;  // one in 100 chains, for the queries
  if (!args.reuse) {
    out["group_commit"] = groupCommit(args, trail, clock, incidents);
    out["fsync_per_record"] = fsyncPerRecord(args, root / "fsync", clock);
  }

  VerifyOptions verify_options;
  verify_options.threads = args.verify_threads;
  double verify_cpu = cpuSeconds();
  Result<VerifyReport> verified = verifyTrail({trail, std::nullopt}, verify_options);
  verify_cpu = cpuSeconds() - verify_cpu;
  if (!verified || !verified->ok) die("the trail does not verify");
  out["records"] = verified->records;
  out["trail_bytes"] = verified->bytes;
  out["segments"] = verified->segments;
  out["verify"] = {
      {"seconds", verified->seconds},
      {"records_per_s", static_cast<double>(verified->records) / verified->seconds},
      {"mb_per_s", static_cast<double>(verified->bytes) / verified->seconds / 1e6},
      {"cpu_us_per_record", verify_cpu / static_cast<double>(verified->records) * 1e6}};

  if (args.index) {
    if (args.reuse) incidents = incidentsIn(trail, verified->last_seq, args.queries);
    Result<ReindexReport> indexed = reindexTrail({trail, std::nullopt});
    if (!indexed) die(indexed.status().toString());
    out["index"] = {{"seconds", indexed->seconds},
                    {"records_per_s", static_cast<double>(indexed->records) / indexed->seconds},
                    {"index_bytes", indexed->index_bytes},
                    {"bytes_per_record", static_cast<double>(indexed->index_bytes) /
                                             static_cast<double>(indexed->records)}};
    out["query_incident"] = queryIncidents(trail, std::move(incidents), args.queries, clock);
  }

  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  out["peak_rss_mib"] = static_cast<double>(usage.ru_maxrss) / 1024.0;
  out["dir"] = root.string();
  std::printf("%s\n", out.dump(2).c_str());
  if (!args.keep && !args.reuse) std::filesystem::remove_all(root);
  return 0;
}
