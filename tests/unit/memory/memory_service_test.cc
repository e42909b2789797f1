#include "memory/memory_service.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <set>

#include "bus/embedded_bus.h"
#include "common/ids.h"
#include "common/time.h"
#include "contracts/documents.h"
#include "contracts/registry.h"
#include "fakes.h"
#include "memory/audit_record.h"
#include "memory/memory.h"
#include "testing/temp_dir.h"
#include "testing/wait.h"

namespace orion::memory {
namespace {

using orion::testing::readFile;
using orion::testing::TempDir;
using orion::testing::waitUntil;
using testing::DirectBus;
using testing::FileFaults;

std::vector<AuditRecord> records(const std::filesystem::path& path) {
  std::vector<AuditRecord> out;
  std::string text = readFile(path);
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    Result<AuditRecord> record = parseRecord(std::string_view(text).substr(start, end - start));
    EXPECT_TRUE(record) << record.status().toString();
    if (record) out.push_back(std::move(record).value());
    start = end + 1;
  }
  return out;
}

// A minimal document of `type`: its id field and a marker, enough for a bus that does not check.
Json documentOf(const std::string& type) {
  return {{"version", "1.0"}, {std::string(documentIdField(type)), newUuid()}, {"marker", type}};
}

class MemoryServiceTest : public ::testing::Test {
 protected:
  std::unique_ptr<MemoryService> make(bus::Bus& bus) {
    config::MemoryConfig config;
    config.sync_interval = std::chrono::milliseconds(1);
    return std::make_unique<MemoryService>(config, path_, ModuleContext{bus, clock_, metrics_, "n"},
                                           testing::failingOpener(faults_));
  }

  TempDir dir_;
  std::filesystem::path path_ = dir_.path() / "audit" / "audit.jsonl";
  SimulatedClock clock_;
  MetricsRegistry metrics_;
  FileFaults faults_;
};

TEST_F(MemoryServiceTest, SubscribesToEveryContractStreamAsGroupMemory) {
  DirectBus bus;
  auto memory = make(bus);
  ASSERT_TRUE(memory->start().isOk());
  std::set<std::string> types;
  for (const auto& [type, subscription] : bus.subscriptions) {
    types.insert(type);
    EXPECT_EQ(subscription.first.group, "memory");
    EXPECT_EQ(subscription.first.consumer, "memory-1");
  }
  EXPECT_EQ(types, (std::set<std::string>{"event", "incident", "decision", "action", "outcome",
                                          "approval_request", "approval_decision", "approval",
                                          "validation", "edge.command", "edge.telemetry",
                                          "edge.health", "deadletter", "autonomy_change"}));
  memory->stop(clock_.monotonic());
}

TEST_F(MemoryServiceTest, RecordsEveryTypeWithItsDocumentIntact) {
  DirectBus bus;
  auto memory = make(bus);
  ASSERT_TRUE(memory->start().isOk());
  std::vector<std::string> types = MemoryService::recordedTypes();
  std::vector<Json> documents;
  for (size_t i = 0; i < types.size(); ++i) {
    documents.push_back(documentOf(types[i]));
    ASSERT_TRUE(bus.deliver(types[i], documents.back(), std::to_string(i) + "-0").isOk());
  }
  memory->stop(clock_.monotonic());

  std::vector<AuditRecord> written = records(path_);
  ASSERT_EQ(written.size(), types.size());
  for (size_t i = 0; i < types.size(); ++i) {
    EXPECT_EQ(written[i].seq, i + 1);
    EXPECT_EQ(written[i].type, types[i]);
    EXPECT_EQ(written[i].entry_id, std::to_string(i) + "-0");
    EXPECT_EQ(written[i].document, documents[i]);
    EXPECT_TRUE(isRfc3339(written[i].recorded_at));
    EXPECT_EQ(metrics_.read("orion_memory_records_total", {{"type", types[i]}}), 1) << types[i];
  }
  EXPECT_EQ(metrics_.read("orion_memory_last_seq"), static_cast<double>(types.size()));
  EXPECT_GE(faults_.syncs, 1) << "stop() syncs";
}

TEST_F(MemoryServiceTest, DuplicatesAreAcknowledgedButNotRecorded) {
  DirectBus bus;
  auto memory = make(bus);
  ASSERT_TRUE(memory->start().isOk());
  Json event = documentOf("event");
  ASSERT_TRUE(bus.deliver("event", event, "1-0").isOk());
  ASSERT_TRUE(bus.deliver("event", event, "1-0", 2).isOk());
  ASSERT_TRUE(bus.deliver("event", event, "7-0").isOk());
  memory->stop(clock_.monotonic());
  EXPECT_EQ(records(path_).size(), 1u);
  EXPECT_EQ(metrics_.read("orion_memory_duplicates_total"), 2);
  EXPECT_EQ(metrics_.read("orion_memory_records_total", {{"type", "event"}}), 1);
}

TEST_F(MemoryServiceTest, SeqContinuesAndDuplicatesAreKnownAfterARestart) {
  DirectBus bus;
  Json first = documentOf("event");
  {
    auto memory = make(bus);
    ASSERT_TRUE(memory->start().isOk());
    ASSERT_TRUE(bus.deliver("event", first, "1-0").isOk());
    ASSERT_TRUE(bus.deliver("decision", documentOf("decision"), "1-0").isOk());
    memory->stop(clock_.monotonic());
  }
  auto memory = make(bus);
  ASSERT_TRUE(memory->start().isOk());
  EXPECT_EQ(metrics_.read("orion_memory_last_seq"), 2);
  ASSERT_TRUE(bus.deliver("event", first, "1-0").isOk());
  ASSERT_TRUE(bus.deliver("incident", documentOf("incident"), "1-0").isOk());
  memory->stop(clock_.monotonic());
  std::vector<AuditRecord> written = records(path_);
  ASSERT_EQ(written.size(), 3u);
  EXPECT_EQ(written[2].seq, 3u);
  EXPECT_EQ(written[2].type, "incident");
  EXPECT_EQ(metrics_.read("orion_memory_duplicates_total"), 1);
}

TEST_F(MemoryServiceTest, AFailedWriteIsAnErrorForTheBusToRetry) {
  DirectBus bus;
  auto memory = make(bus);
  ASSERT_TRUE(memory->start().isOk());
  Json event = documentOf("event");
  faults_.fail_appends = true;
  Status failed = bus.deliver("event", event, "1-0");
  EXPECT_EQ(failed.code(), StatusCode::kResourceExhausted);
  EXPECT_NE(failed.code(), StatusCode::kInvalidArgument) << "that would skip the retries";
  EXPECT_EQ(metrics_.read("orion_memory_write_errors_total"), 1);
  faults_.fail_appends = false;
  ASSERT_TRUE(bus.deliver("event", event, "1-0", 2).isOk());
  memory->stop(clock_.monotonic());
  std::vector<AuditRecord> written = records(path_);
  ASSERT_EQ(written.size(), 1u);
  EXPECT_EQ(written[0].seq, 1u);
  EXPECT_EQ(metrics_.read("orion_memory_duplicates_total"), 0);
}

TEST_F(MemoryServiceTest, TheFlushThreadSyncsWithoutBeingStopped) {
  DirectBus bus;
  auto memory = make(bus);
  ASSERT_TRUE(memory->start().isOk());
  ASSERT_TRUE(bus.deliver("event", documentOf("event"), "1-0").isOk());
  EXPECT_TRUE(waitUntil([&] { return faults_.syncs >= 1; }));
  faults_.fail_syncs = true;
  ASSERT_TRUE(bus.deliver("event", documentOf("event"), "2-0").isOk());
  EXPECT_TRUE(waitUntil([&] { return metrics_.read("orion_memory_sync_errors_total") >= 1; }));
  faults_.fail_syncs = false;
  memory->stop(clock_.monotonic());
  EXPECT_EQ(faults_.syncs, 2) << "stop() retries the failed sync";
}

TEST_F(MemoryServiceTest, AStreamThatCannotBeSubscribedFailsStart) {
  DirectBus bus;
  bus.refuse_type = "edge.health";
  auto memory = make(bus);
  Status status = memory->start();
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_EQ(status.message(),
            "memory: subscribing to 'edge.health': unknown contract type 'edge.health'");
  memory->stop(clock_.monotonic());
}

TEST_F(MemoryServiceTest, AnUnreadableAuditFileFailsStart) {
  std::filesystem::create_directories(path_.parent_path());
  dir_.write("audit/audit.jsonl", "garbage\n");
  DirectBus bus;
  auto memory = make(bus);
  Status status = memory->start();
  EXPECT_EQ(status.code(), StatusCode::kDataLoss);
  EXPECT_EQ(status.message().rfind("memory: reading the audit file: " + path_.string(), 0), 0u)
      << status.message();
  EXPECT_TRUE(bus.subscriptions.empty());
}

TEST_F(MemoryServiceTest, RelativeAuditPathsAreUnderTheStateDir) {
  DirectBus bus;
  config::MemoryConfig config;
  config.audit_file = "trail/audit.jsonl";
  auto memory =
      makeMemory(config, dir_.path() / "state", ModuleContext{bus, clock_, metrics_, "n"});
  ASSERT_TRUE(memory->start().isOk());
  ASSERT_TRUE(bus.deliver("event", documentOf("event"), "1-0").isOk());
  memory->stop(clock_.monotonic());
  std::filesystem::path expected = dir_.path() / "state" / "trail" / "audit.jsonl";
  EXPECT_EQ(records(expected).size(), 1u);
  struct stat st {};
  ASSERT_EQ(::stat(expected.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

// The real embedded bus: the documents are validated contracts, delivery is asynchronous and a
// failed write must leave the message unacknowledged until a redelivery succeeds.
class MemoryOnEmbeddedBusTest : public MemoryServiceTest {
 protected:
  MemoryOnEmbeddedBusTest() {
    auto registry = contracts::ContractRegistry::loadEmbedded();
    EXPECT_TRUE(registry) << registry.status().toString();
    bus_ = bus::makeEmbeddedBus({}, *registry, clock_, metrics_);
  }

  contracts::Event event() {
    contracts::Event event;
    event.event_id = newUuid();
    event.timestamp = clock_.now();
    event.source = "orion-watcher-host";
    event.event_type = "metric_threshold_exceeded";
    event.severity = contracts::EventSeverity::kWarning;
    event.data = {{"resource", "/"}, {"value", 91.5}};
    return event;
  }

  std::unique_ptr<bus::Bus> bus_;
};

TEST_F(MemoryOnEmbeddedBusTest, RecordsPublishedContracts) {
  auto memory = make(*bus_);
  ASSERT_TRUE(memory->start().isOk());
  contracts::Event e = event();
  contracts::Incident incident;
  incident.incident_id = newUuid();
  incident.timestamp = clock_.now();
  incident.incident_type = "metric_anomaly";
  incident.severity = contracts::IncidentSeverity::kMedium;
  incident.event_ids = {e.event_id};
  incident.window_start = clock_.now();
  incident.window_end = clock_.now();
  contracts::Decision decision;
  decision.decision_id = newUuid();
  decision.timestamp = clock_.now();
  decision.incident_id = incident.incident_id;
  decision.reasoning = "N0: observe only, never act";
  ASSERT_TRUE(bus_->publish("event", e.toJson()));
  ASSERT_TRUE(bus_->publish("incident", incident.toJson()));
  ASSERT_TRUE(bus_->publish("decision", decision.toJson()));

  ASSERT_TRUE(waitUntil([&] { return metrics_.read("orion_memory_last_seq") == 3; }));
  memory->stop(clock_.monotonic());
  std::map<std::string, Json> by_type;
  for (AuditRecord& record : records(path_)) by_type[record.type] = record.document;
  EXPECT_EQ(by_type["event"], e.toJson());
  EXPECT_EQ(by_type["incident"], incident.toJson());
  EXPECT_EQ(by_type["decision"], decision.toJson());
}

TEST_F(MemoryOnEmbeddedBusTest, AFailedWriteIsNotAcknowledgedAndIsRetried) {
  auto memory = make(*bus_);
  ASSERT_TRUE(memory->start().isOk());
  faults_.fail_appends = true;
  contracts::Event e = event();
  ASSERT_TRUE(bus_->publish("event", e.toJson()));
  ASSERT_TRUE(waitUntil([&] { return metrics_.read("orion_memory_write_errors_total") >= 1; }));
  EXPECT_EQ(bus_->backlog("event", "memory").pending, 1u) << "not acknowledged";
  EXPECT_TRUE(readFile(path_).empty());

  faults_.fail_appends = false;
  // The bus parks the message for its redelivery delay on the simulated clock; keep time moving
  // (the bus may settle the failure a moment after the handler returned).
  ASSERT_TRUE(waitUntil([&] {
    clock_.advance(std::chrono::milliseconds(100));
    return bus_->backlog("event", "memory").empty();
  }));
  memory->stop(clock_.monotonic());
  std::vector<AuditRecord> written = records(path_);
  ASSERT_EQ(written.size(), 1u);
  EXPECT_EQ(written[0].document, e.toJson());
  EXPECT_EQ(metrics_.read("orion_memory_records_total", {{"type", "event"}}), 1);
}

}  // namespace
}  // namespace orion::memory
