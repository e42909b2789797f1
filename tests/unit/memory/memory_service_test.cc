// The memory service on a bus: every stream, exactly once, acknowledged only when durable; a full
// disk leaves messages unacknowledged and the service degraded until space returns.
#include "memory/memory_service.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <set>

#include "bus/embedded_bus.h"
#include "contracts/documents.h"
#include "contracts/registry.h"
#include "trail_harness.h"

namespace orion::memory {
namespace {

using testing::DirectBus;
using testing::readFile;
using testing::TrailHarness;
using testing::waitUntil;

// A minimal document of `type`: its id field and a marker, enough for a bus that does not check.
Json documentOf(const std::string& type) {
  return {{"version", "1.0"}, {std::string(documentIdField(type)), newUuid()}, {"marker", type}};
}

class MemoryServiceTest : public ::testing::Test, public TrailHarness {
 protected:
  std::unique_ptr<MemoryService> make(bus::Bus& bus, config::MemoryConfig config = {}) {
    config.sync_interval = std::chrono::milliseconds(1);
    return std::make_unique<MemoryService>(config, dir(),
                                           ModuleContext{bus, clock, registry, "core"}, fs);
  }
};

TEST_F(MemoryServiceTest, SubscribesToEveryContractStreamAsGroupMemoryWithDeferredAcks) {
  DirectBus bus;
  auto memory = make(bus);
  ASSERT_TRUE(memory->start().isOk());
  std::set<std::string> types;
  for (const auto& [type, subscription] : bus.subscriptions) {
    types.insert(type);
    EXPECT_EQ(subscription.first.group, "memory");
    EXPECT_EQ(subscription.first.consumer, "memory-1");
    EXPECT_TRUE(subscription.first.before_ack) << type;
  }
  EXPECT_EQ(types, (std::set<std::string>{"event", "incident", "decision", "action", "outcome",
                                          "approval_request", "approval_decision", "approval",
                                          "validation", "edge.command", "edge.telemetry",
                                          "edge.health", "deadletter", "autonomy_change"}));
  memory->stop(clock.monotonic());
}

TEST_F(MemoryServiceTest, RecordsEveryTypeWithItsDocumentIntactAndIndexesIt) {
  DirectBus bus;
  auto memory = make(bus);
  ASSERT_TRUE(memory->start().isOk());
  std::vector<std::string> types = MemoryService::recordedTypes();
  std::vector<Json> documents;
  for (size_t i = 0; i < types.size(); ++i) {
    documents.push_back(documentOf(types[i]));
    ASSERT_TRUE(bus.deliver(types[i], documents.back(), std::to_string(i) + "-0").isOk());
    EXPECT_EQ(memory->writer()->durableSeq(), i + 1) << "durable when the delivery returns";
  }
  ASSERT_TRUE(waitUntil([&] { return memory->indexer()->indexedSeq() == types.size(); }));
  memory->stop(clock.monotonic());

  std::vector<AuditRecord> written = records();
  ASSERT_EQ(written.size(), types.size());
  for (size_t i = 0; i < types.size(); ++i) {
    EXPECT_EQ(written[i].seq, i + 1);
    EXPECT_EQ(written[i].type, types[i]);
    EXPECT_EQ(written[i].node, "core");
    EXPECT_EQ(written[i].entry_id, std::to_string(i) + "-0");
    EXPECT_EQ(written[i].document, documents[i]);
    EXPECT_EQ(registry.read("orion_memory_records_total", {{"type", types[i]}}), 1) << types[i];
  }
  EXPECT_EQ(registry.read("orion_memory_head_seq"), static_cast<double>(types.size()));
  EXPECT_TRUE(verify().ok);
  auto reader = AuditReader::open({dir(), std::nullopt});
  ASSERT_TRUE(reader);
  EXPECT_EQ((*reader)->lag(), 0u) << "the daemon's indexer kept up";
}

TEST_F(MemoryServiceTest, DuplicatesAreAcknowledgedButNotRecorded) {
  DirectBus bus;
  auto memory = make(bus);
  ASSERT_TRUE(memory->start().isOk());
  Json event = documentOf("event");
  ASSERT_TRUE(bus.deliver("event", event, "1-0").isOk());
  ASSERT_TRUE(bus.deliver("event", event, "1-0", 2).isOk());
  ASSERT_TRUE(bus.deliver("event", event, "7-0").isOk());
  memory->stop(clock.monotonic());
  EXPECT_EQ(records().size(), 1u);
  EXPECT_EQ(registry.read("orion_memory_duplicates_total"), 2);
}

TEST_F(MemoryServiceTest, SeqContinuesAndDuplicatesAreKnownAfterARestart) {
  DirectBus bus;
  Json first = documentOf("event");
  {
    auto memory = make(bus);
    ASSERT_TRUE(memory->start().isOk());
    ASSERT_TRUE(bus.deliver("event", first, "1-0").isOk());
    ASSERT_TRUE(bus.deliver("decision", documentOf("decision"), "1-0").isOk());
    memory->stop(clock.monotonic());
  }
  auto memory = make(bus);
  ASSERT_TRUE(memory->start().isOk());
  ASSERT_TRUE(bus.deliver("event", first, "1-0").isOk());
  ASSERT_TRUE(bus.deliver("incident", documentOf("incident"), "1-0").isOk());
  memory->stop(clock.monotonic());
  std::vector<AuditRecord> written = records();
  ASSERT_EQ(written.size(), 3u);
  EXPECT_EQ(written[2].seq, 3u);
  EXPECT_EQ(written[2].type, "incident");
  EXPECT_TRUE(verify().ok);
}

TEST_F(MemoryServiceTest, TheHmacKeyFileIsUsedAndMustBePrivate) {
  DirectBus bus;
  config::MemoryConfig config;
  config.hmac_key_file = temp.write("key", "0123456789abcdef0123456789abcdef\n").string();
  ::chmod(config.hmac_key_file.c_str(), 0644);
  auto open_key = make(bus, config);
  Status refused = open_key->start();
  EXPECT_EQ(refused.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(refused.message().find("chmod 600"), std::string::npos) << refused.message();

  ::chmod(config.hmac_key_file.c_str(), 0600);
  auto memory = make(bus, config);
  ASSERT_TRUE(memory->start().isOk());
  ASSERT_TRUE(bus.deliver("event", documentOf("event"), "1-0").isOk());
  memory->stop(clock.monotonic());
  EXPECT_TRUE(verify(std::string("0123456789abcdef0123456789abcdef")).ok);
  EXPECT_EQ(verify(std::string("0123456789abcdef0123456789abcdef")).keyed_records, 1u);
}

TEST_F(MemoryServiceTest, AStreamThatCannotBeSubscribedFailsStartAndReleasesTheTrail) {
  DirectBus bus;
  bus.refuse_type = "edge.health";
  auto memory = make(bus);
  Status status = memory->start();
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_EQ(status.message(),
            "memory: subscribing to 'edge.health': unknown contract type 'edge.health'");
  DirectBus other;
  auto again = make(other);
  EXPECT_TRUE(again->start().isOk()) << "the lock was released";
  again->stop(clock.monotonic());
}

TEST_F(MemoryServiceTest, ASecondMemoryOnTheSameTrailFailsToStart) {
  DirectBus bus;
  auto first = make(bus);
  ASSERT_TRUE(first->start().isOk());
  DirectBus other;
  auto second = make(other);
  Status status = second->start();
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(status.message().find("another ORION process"), std::string::npos);
  first->stop(clock.monotonic());
}

TEST_F(MemoryServiceTest, RelativeAuditDirsAreUnderTheStateDir) {
  DirectBus bus;
  config::MemoryConfig config;
  config.audit_dir = "trail";
  auto memory = makeMemory(config, temp.path() / "state", ModuleContext{bus, clock, registry, "n"});
  ASSERT_TRUE(memory->start().isOk());
  ASSERT_TRUE(bus.deliver("event", documentOf("event"), "1-0").isOk());
  memory->stop(clock.monotonic());
  std::filesystem::path expected = temp.path() / "state" / "trail" / segmentName(1);
  EXPECT_TRUE(std::filesystem::exists(expected));
  EXPECT_EQ(auditDir(config, "/var/lib/orion"), "/var/lib/orion/trail");
  config.audit_dir = "/srv/audit";
  EXPECT_EQ(auditDir(config, "/var/lib/orion"), "/srv/audit");
}

// The real embedded bus: validated contracts, asynchronous delivery, acknowledgement only after
// the record is durable, and nothing acknowledged while the disk is full.
class MemoryOnEmbeddedBusTest : public MemoryServiceTest {
 protected:
  MemoryOnEmbeddedBusTest() {
    auto registry_or = contracts::ContractRegistry::loadEmbedded();
    EXPECT_TRUE(registry_or) << registry_or.status().toString();
    // The default redelivery delay, on a clock that does not move: a delivery memory could not
    // confirm stays parked, visibly unacknowledged.
    bus_ = bus::makeEmbeddedBus({}, *registry_or, clock, registry);
  }

  contracts::Event event() {
    contracts::Event event;
    event.event_id = newUuid();
    event.timestamp = clock.now();
    event.source = "orion-watcher-host";
    event.event_type = "metric_threshold_exceeded";
    event.severity = contracts::EventSeverity::kWarning;
    event.data = {{"resource", "/"}, {"value", 91.5}};
    return event;
  }

  std::unique_ptr<bus::Bus> bus_;
};

TEST_F(MemoryOnEmbeddedBusTest, AMessageIsAcknowledgedOnlyOnceItsRecordIsDurable) {
  auto memory = make(*bus_);
  ASSERT_TRUE(memory->start().isOk());
  faults.holdSyncs();
  contracts::Event e = event();
  ASSERT_TRUE(bus_->publish("event", e.toJson()));
  ASSERT_TRUE(waitUntil([&] { return faults.appends >= 1; })) << "written";
  EXPECT_EQ(bus_->backlog("event", "memory").pending, 1u) << "but not acknowledged: not durable";
  faults.releaseSyncs();
  ASSERT_TRUE(waitUntil([&] { return bus_->backlog("event", "memory").empty(); }));
  memory->stop(clock.monotonic());
  std::vector<AuditRecord> written = records();
  ASSERT_EQ(written.size(), 1u);
  EXPECT_EQ(written[0].document, e.toJson());
}

TEST_F(MemoryOnEmbeddedBusTest, ADiskFullLeavesMessagesUnacknowledgedAndResumes) {
  auto memory = make(*bus_);
  ASSERT_TRUE(memory->start().isOk());
  faults.space_left = 0;
  std::vector<contracts::Event> events;
  for (int i = 0; i < 20; ++i) {
    events.push_back(event());
    ASSERT_TRUE(bus_->publish("event", events.back().toJson()));
  }
  ASSERT_TRUE(waitUntil([&] { return memory->degraded(); }));
  EXPECT_EQ(registry.read("orion_memory_degraded"), 1);
  EXPECT_FALSE(bus_->backlog("event", "memory").empty()) << "nothing unwritten is acknowledged";
  EXPECT_EQ(registry.read("orion_bus_deadlettered_total",
                          {{"type", "event"}, {"group", "memory"}, {"reason", "handler_error"}}),
            0)
      << "a full disk never sends memory's messages to the dead-letter stream";

  faults.space_left = -1;
  ASSERT_TRUE(waitUntil([&] { return bus_->backlog("event", "memory").empty(); }));
  EXPECT_FALSE(memory->degraded());
  memory->stop(clock.monotonic());
  std::vector<AuditRecord> written = records();
  ASSERT_EQ(written.size(), events.size());
  std::set<std::string> ids;
  for (const AuditRecord& r : written) ids.insert(r.id);
  for (const contracts::Event& e : events) EXPECT_EQ(ids.count(e.event_id), 1u);
  EXPECT_TRUE(verify().ok);
}

TEST_F(MemoryOnEmbeddedBusTest, StopReturnsWhileTheDiskIsStillFull) {
  auto memory = make(*bus_);
  ASSERT_TRUE(memory->start().isOk());
  faults.space_left = 0;
  ASSERT_TRUE(bus_->publish("event", event().toJson()));
  ASSERT_TRUE(waitUntil([&] { return memory->degraded(); }));
  memory->stop(clock.monotonic());  // must not wait for a disk that does not come back
  EXPECT_FALSE(bus_->backlog("event", "memory").empty());
  EXPECT_TRUE(records().empty());
}

}  // namespace
}  // namespace orion::memory
