// The guardian service on a synchronous fake bus: subscription, publishing, metrics, and what a
// failed publish or a bad delivery does.
#include "guardian/guardian.h"

#include <gtest/gtest.h>

#include "contracts/registry.h"
#include "testing/fake_bus.h"
#include "testing/test_events.h"

namespace orion::guardian {
namespace {

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
    guardian_ = makeGuardian(config::GuardianConfig{}, ModuleContext{*bus_, clock_, metrics_, "n"});
    ASSERT_TRUE(guardian_->start().isOk());
  }
  void TearDown() override {
    if (guardian_) guardian_->stop(clock_.monotonic());
  }

  Status deliver(const contracts::Event& event) { return bus_->deliver("event", event.toJson()); }
  double metric(std::string_view name, const Labels& labels = {}) {
    return metrics_.read(name, labels);
  }

  SimulatedClock clock_;
  MetricsRegistry metrics_;
  std::unique_ptr<FakeBus> bus_;
  std::unique_ptr<Service> guardian_;
};

TEST_F(GuardianServiceTest, SubscribesToEventsAsGroupGuardian) {
  auto subscriptions = bus_->subscriptions();
  ASSERT_EQ(subscriptions.size(), 1u);
  EXPECT_EQ(subscriptions[0].type, "event");
  EXPECT_EQ(subscriptions[0].group, "guardian");
  EXPECT_EQ(subscriptions[0].consumer, "guardian-1");
  EXPECT_EQ(guardian_->name(), "guardian");
  EXPECT_FALSE(guardian_->start().isOk()) << "a second start must be refused";
}

TEST_F(GuardianServiceTest, WarningEventPublishesOneValidIncident) {
  auto event = metricEvent({}, clock_.now());
  ASSERT_TRUE(deliver(event).isOk());
  auto incidents = bus_->published("incident");
  ASSERT_EQ(incidents.size(), 1u);
  EXPECT_EQ(incidents[0]["state"], "open");
  EXPECT_EQ(incidents[0]["event_ids"], Json::array({event.event_id}));
  EXPECT_EQ(metric("orion_guardian_events_total", {{"severity", "warning"}}), 1);
  EXPECT_EQ(metric("orion_guardian_incidents_opened_total", {{"type", "metric_anomaly"}}), 1);
  EXPECT_EQ(metric("orion_guardian_open_incidents"), 1);

  // The same event redelivered: acknowledged, nothing published, counted.
  ASSERT_TRUE(deliver(event).isOk());
  EXPECT_EQ(bus_->published("incident").size(), 1u);
  EXPECT_EQ(metric("orion_guardian_duplicates_total"), 1);
}

TEST_F(GuardianServiceTest, LifecycleIsCountedInMetrics) {
  ASSERT_TRUE(deliver(metricEvent({.severity = EventSeverity::kInfo}, clock_.now())).isOk());
  ASSERT_TRUE(deliver(metricEvent({}, clock_.now())).isOk());
  ASSERT_TRUE(deliver(metricEvent({}, clock_.now())).isOk());
  ASSERT_TRUE(deliver(metricEvent({.severity = EventSeverity::kCritical}, clock_.now())).isOk());
  ASSERT_TRUE(deliver(recoveryOf({}, clock_.now())).isOk());

  auto incidents = bus_->published("incident");
  ASSERT_EQ(incidents.size(), 3u);
  EXPECT_EQ(incidents[1]["incident_id"], incidents[0]["incident_id"]);
  EXPECT_EQ(incidents[1]["severity"], "critical");
  EXPECT_EQ(incidents[2]["state"], "resolved");
  EXPECT_EQ(metric("orion_guardian_events_ignored_total"), 1);
  EXPECT_EQ(metric("orion_guardian_events_absorbed_total"), 1);
  EXPECT_EQ(metric("orion_guardian_incidents_updated_total"), 1);
  EXPECT_EQ(metric("orion_guardian_incidents_resolved_total"), 1);
  EXPECT_EQ(metric("orion_guardian_open_incidents"), 0);
  EXPECT_EQ(metrics_.sum("orion_guardian_events_total"), 5);
}

TEST_F(GuardianServiceTest, FailedPublishIsRetriedWithoutDoubleCounting) {
  auto event = metricEvent({}, clock_.now());
  bus_->failPublishes(1);
  Status failed = deliver(event);
  ASSERT_FALSE(failed.isOk());
  EXPECT_EQ(failed.code(), StatusCode::kUnavailable) << "the bus must retry, not dead-letter";
  EXPECT_TRUE(bus_->published("incident").empty());
  EXPECT_EQ(metric("orion_guardian_publish_failures_total"), 1);
  EXPECT_EQ(metrics_.sum("orion_guardian_events_total"), 0);

  ASSERT_TRUE(bus_->deliver("event", event.toJson(), 2).isOk());
  ASSERT_TRUE(bus_->deliver("event", event.toJson(), 3).isOk());
  EXPECT_EQ(bus_->published("incident").size(), 1u);
  EXPECT_EQ(metrics_.sum("orion_guardian_incidents_opened_total"), 1);
  EXPECT_EQ(metric("orion_guardian_duplicates_total"), 1);
}

TEST_F(GuardianServiceTest, UnreadableEventIsRejectedForTheDeadLetterStream) {
  Status status = bus_->deliver("event", Json{{"event_id", 42}});
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(metric("orion_guardian_events_rejected_total"), 1);
  EXPECT_TRUE(bus_->published("incident").empty());
}

TEST_F(GuardianServiceTest, OpenIncidentsAreBoundedByConfig) {
  guardian_->stop(clock_.monotonic());
  bus_ = std::make_unique<FakeBus>();
  config::GuardianConfig config;
  config.max_open_incidents = 2;
  guardian_ = makeGuardian(config, ModuleContext{*bus_, clock_, metrics_, "n"});
  ASSERT_TRUE(guardian_->start().isOk());
  for (std::string resource : {"/a", "/b", "/c", "/d"}) {
    ASSERT_TRUE(deliver(metricEvent({.resource = resource}, clock_.now())).isOk());
  }
  EXPECT_EQ(metric("orion_guardian_open_incidents"), 2);
  EXPECT_EQ(metric("orion_guardian_evicted_total"), 2);
}

}  // namespace
}  // namespace orion::guardian
