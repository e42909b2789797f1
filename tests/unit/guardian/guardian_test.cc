// The guardian service on a synchronous fake bus that validates every publish: subscription,
// metrics, the outbox when the bus refuses, bad deliveries, bounds, and a restart on the same
// state directory.
#include "guardian/guardian.h"

#include <gtest/gtest.h>

#include "contracts/registry.h"
#include "guardian_events.h"
#include "testing/fake_bus.h"
#include "testing/temp_dir.h"
#include "testing/test_events.h"
#include "testing/wait.h"

namespace orion::guardian {
namespace {

using namespace std::chrono_literals;
using contracts::EventSeverity;
using testing::FakeBus;
using testing::metricEvent;
using testing::recoveryOf;

class GuardianServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto registry = contracts::ContractRegistry::loadEmbedded();
    ASSERT_TRUE(registry.isOk()) << registry.status().toString();
    bus_ = std::make_unique<FakeBus>(*registry);
    start();
  }
  void TearDown() override { stop(); }

  void start(config::GuardianConfig config = {}) {
    guardian_ = makeGuardian(config, ModuleContext{*bus_, clock_, metrics_, "n",
                                                   (dir_.path() / "state").string(), nullptr});
    Status started = guardian_->start();
    ASSERT_TRUE(started.isOk()) << started.toString();
  }
  void stop() {
    if (guardian_) guardian_->stop(clock_.monotonic());
    guardian_.reset();
  }

  Status deliver(const contracts::Event& event) { return bus_->deliver("event", event.toJson()); }
  double metric(std::string_view name, const Labels& labels = {}) {
    return metrics_.read(name, labels);
  }
  std::vector<Json> incidents() const { return bus_->published("incident"); }

  testing::TempDir dir_;
  SimulatedClock clock_;
  MetricsRegistry metrics_;
  std::unique_ptr<FakeBus> bus_;
  std::unique_ptr<Service> guardian_;
};

TEST_F(GuardianServiceTest, SubscribesToEventsAndActionsAsGroupGuardian) {
  auto subscriptions = bus_->subscriptions();
  ASSERT_EQ(subscriptions.size(), 2u);
  EXPECT_EQ(subscriptions[0].type, "event");
  EXPECT_EQ(subscriptions[0].group, "guardian");
  EXPECT_EQ(subscriptions[0].consumer, "guardian-1");
  EXPECT_EQ(subscriptions[1].type, "action");
  EXPECT_EQ(subscriptions[1].group, "guardian");
  EXPECT_EQ(guardian_->name(), "guardian");
  EXPECT_FALSE(guardian_->start().isOk()) << "a second start must be refused";
}

TEST_F(GuardianServiceTest, WarningEventPublishesOneValidIncident) {
  auto event = metricEvent({}, clock_.now());
  ASSERT_TRUE(deliver(event).isOk());
  ASSERT_EQ(incidents().size(), 1u);
  EXPECT_EQ(incidents()[0]["state"], "open");
  EXPECT_EQ(incidents()[0]["event_ids"], Json::array({event.event_id}));
  EXPECT_EQ(metric("orion_guardian_events_total", {{"severity", "warning"}}), 1);
  EXPECT_EQ(metric("orion_guardian_incidents_opened_total", {{"type", "metric_anomaly"}}), 1);
  EXPECT_EQ(metric("orion_guardian_open_incidents"), 1);

  ASSERT_TRUE(deliver(event).isOk());  // redelivered: acknowledged, nothing published
  EXPECT_EQ(incidents().size(), 1u);
  EXPECT_EQ(metric("orion_guardian_duplicates_total"), 1);
}

TEST_F(GuardianServiceTest, LifecycleIsCountedInMetrics) {
  ASSERT_TRUE(deliver(metricEvent({.severity = EventSeverity::kInfo}, clock_.now())).isOk());
  ASSERT_TRUE(deliver(metricEvent({}, clock_.now())).isOk());
  ASSERT_TRUE(deliver(metricEvent({}, clock_.now())).isOk());
  ASSERT_TRUE(deliver(metricEvent({.severity = EventSeverity::kCritical}, clock_.now())).isOk());
  ASSERT_TRUE(deliver(recoveryOf({}, clock_.now())).isOk());

  ASSERT_EQ(incidents().size(), 3u);
  EXPECT_EQ(incidents()[1]["incident_id"], incidents()[0]["incident_id"]);
  EXPECT_EQ(incidents()[1]["severity"], "critical");
  EXPECT_EQ(incidents()[2]["state"], "resolved");
  EXPECT_EQ(metric("orion_guardian_events_ignored_total"), 1);
  EXPECT_EQ(metric("orion_guardian_events_absorbed_total"), 1);
  EXPECT_EQ(metric("orion_guardian_incidents_updated_total"), 1);
  EXPECT_EQ(metric("orion_guardian_incidents_resolved_total"), 1);
  EXPECT_EQ(metric("orion_guardian_open_incidents"), 0);
  EXPECT_EQ(metric("orion_guardian_conditions"), 1) << "the resolved fingerprint is remembered";
  EXPECT_EQ(metrics_.sum("orion_guardian_events_total"), 5);
}

TEST_F(GuardianServiceTest, ARefusedPublishIsKeptAndPublishedOnce) {
  auto event = metricEvent({}, clock_.now());
  bus_->failPublishes(1);
  ASSERT_TRUE(deliver(event).isOk()) << "correlated and kept durably";
  EXPECT_EQ(metric("orion_guardian_publish_failures_total"), 1);
  EXPECT_EQ(metric("orion_guardian_outbox_pending"), 1);
  // The one-second sweep retries it.
  ASSERT_TRUE(testing::waitUntil([&] { return incidents().size() == 1; }));
  ASSERT_TRUE(deliver(event).isOk());
  EXPECT_EQ(incidents().size(), 1u);
  EXPECT_EQ(metrics_.sum("orion_guardian_incidents_opened_total"), 1);
}

TEST_F(GuardianServiceTest, UnreadableEventIsRejectedForTheDeadLetterStream) {
  Status status = bus_->deliver("event", Json{{"event_id", 42}});
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(metric("orion_guardian_events_rejected_total"), 1);
  EXPECT_TRUE(incidents().empty());
}

TEST_F(GuardianServiceTest, OpenIncidentsAreBoundedByConfig) {
  stop();
  config::GuardianConfig config;
  config.max_open_incidents = 2;
  config.node_correlation_threshold = 100;
  start(config);
  for (std::string resource : {"/a", "/b", "/c", "/d"}) {
    ASSERT_TRUE(deliver(metricEvent({.resource = resource}, clock_.now())).isOk());
  }
  EXPECT_EQ(metric("orion_guardian_open_incidents"), 2);
  EXPECT_EQ(metric("orion_guardian_evicted_total"), 2);
}

TEST_F(GuardianServiceTest, ARestartForgetsNoIncidentAndRecognisesRedeliveries) {
  auto down = testing::containerDown("jellyfin", clock_.now());
  ASSERT_TRUE(deliver(down).isOk());
  ASSERT_EQ(incidents().size(), 1u);
  std::string id = incidents()[0]["incident_id"];
  stop();

  start();
  EXPECT_EQ(metric("orion_guardian_open_incidents"), 1);
  ASSERT_TRUE(deliver(down).isOk());  // the bus redelivers the event after the restart
  EXPECT_EQ(incidents().size(), 1u) << "recognised as a duplicate";
  clock_.advance(5s);
  ASSERT_TRUE(deliver(testing::containerUp("jellyfin", clock_.now())).isOk());
  ASSERT_EQ(incidents().size(), 2u);
  EXPECT_EQ(incidents()[1]["incident_id"], id) << "the same incident is resolved";
  EXPECT_EQ(incidents()[1]["state"], "resolved");
}

Json acknowledgeAction(const std::string& incident_id, const std::string& state,
                       bool dry_run = false, const std::string& last_digit = "") {
  std::string digit = last_digit.empty() ? std::to_string(dry_run) : last_digit;
  return Json{{"version", "1.0"},
              {"action_id", "7c1b2a4e-0000-4000-8000-00000000000" + digit},
              {"timestamp", "2026-01-01T00:00:00Z"},
              {"source", "orion-brain"},
              {"decision_id", "7c1b2a4e-0000-4000-8000-0000000000aa"},
              {"action_type", "acknowledge_incident"},
              {"safety_classification", "SAFE"},
              {"state", state},
              {"parameters", {{"incident_id", incident_id}}},
              {"rollback_enabled", false},
              {"dry_run", dry_run},
              {"tags", Json::object()}};
}

TEST_F(GuardianServiceTest, ASucceededAcknowledgeActionAcknowledgesTheIncidentOnce) {
  ASSERT_TRUE(deliver(metricEvent({}, clock_.now())).isOk());
  ASSERT_EQ(incidents().size(), 1u);
  std::string id = incidents()[0]["incident_id"];

  // Not yet done, or only pretended: nothing changes.
  ASSERT_TRUE(bus_->deliver("action", acknowledgeAction(id, "executing")).isOk());
  ASSERT_TRUE(bus_->deliver("action", acknowledgeAction(id, "succeeded", true)).isOk());
  EXPECT_EQ(incidents().size(), 1u);

  ASSERT_TRUE(bus_->deliver("action", acknowledgeAction(id, "succeeded")).isOk());
  ASSERT_EQ(incidents().size(), 2u);
  Json acknowledged = incidents()[1];
  EXPECT_EQ(acknowledged["incident_id"], id);
  EXPECT_EQ(acknowledged["state"], "acknowledged");
  EXPECT_EQ(acknowledged["tags"]["acknowledged_by"], "orion-commander");
  EXPECT_EQ(acknowledged["tags"]["acknowledged_action"], "7c1b2a4e-0000-4000-8000-000000000000");

  // Again (a redelivery), or for an incident that is not open: nothing more.
  ASSERT_TRUE(bus_->deliver("action", acknowledgeAction(id, "succeeded")).isOk());
  ASSERT_TRUE(bus_->deliver("action", acknowledgeAction("no-such-incident", "succeeded")).isOk());
  EXPECT_EQ(incidents().size(), 2u);

  // The same severity again keeps it acknowledged; worse opens it again for a fresh look.
  clock_.advance(std::chrono::minutes(2));
  ASSERT_TRUE(deliver(metricEvent({}, clock_.now())).isOk());
  ASSERT_EQ(incidents().size(), 3u);
  EXPECT_EQ(incidents()[2]["state"], "acknowledged");
  ASSERT_TRUE(deliver(metricEvent({.severity = EventSeverity::kCritical}, clock_.now())).isOk());
  ASSERT_EQ(incidents().size(), 4u);
  EXPECT_EQ(incidents()[3]["state"], "open");
  ASSERT_TRUE(bus_->deliver("action", acknowledgeAction(id, "succeeded", false, "2")).isOk());
  ASSERT_EQ(incidents().size(), 5u);
  EXPECT_EQ(incidents()[4]["state"], "acknowledged");

  // It stays acknowledged across a restart, and its recovery still resolves it.
  stop();
  start();
  ASSERT_TRUE(deliver(recoveryOf({}, clock_.now())).isOk());
  ASSERT_EQ(incidents().size(), 6u);
  EXPECT_EQ(incidents()[5]["state"], "resolved");
  EXPECT_EQ(incidents()[5]["tags"]["acknowledged_by"], "orion-commander");
}

}  // namespace
}  // namespace orion::guardian
