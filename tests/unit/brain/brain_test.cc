// The brain service on a synchronous fake bus: one decision per incident revision, none for
// resolved incidents, retries after a failed publish, metrics.
#include "brain/brain.h"

#include <gtest/gtest.h>

#include "contracts/registry.h"
#include "test_incidents.h"
#include "testing/fake_bus.h"

namespace orion::brain {
namespace {

using contracts::IncidentSeverity;
using contracts::IncidentState;
using testing::FakeBus;
using testing::makeIncident;

class BrainServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto registry = contracts::ContractRegistry::loadEmbedded();
    ASSERT_TRUE(registry.isOk()) << registry.status().toString();
    bus_ = std::make_unique<FakeBus>(*registry);
  }
  void TearDown() override {
    if (brain_) brain_->stop(clock_.monotonic());
  }

  void start(config::Autonomy level = config::Autonomy::kN0) {
    config::BrainConfig config;
    config.autonomy_level = level;
    brain_ = makeBrain(config, ModuleContext{*bus_, clock_, metrics_, "n"});
    ASSERT_TRUE(brain_->start().isOk());
  }

  Status deliver(const contracts::Incident& incident) {
    return bus_->deliver("incident", incident.toJson());
  }
  double metric(std::string_view name, const Labels& labels = {}) {
    return metrics_.read(name, labels);
  }

  SimulatedClock clock_;
  MetricsRegistry metrics_;
  std::unique_ptr<FakeBus> bus_;
  std::unique_ptr<Service> brain_;
};

TEST_F(BrainServiceTest, SubscribesToIncidentsAsGroupBrain) {
  start();
  auto subscriptions = bus_->subscriptions();
  ASSERT_EQ(subscriptions.size(), 1u);
  EXPECT_EQ(subscriptions[0].type, "incident");
  EXPECT_EQ(subscriptions[0].group, "brain");
  EXPECT_EQ(subscriptions[0].consumer, "brain-1");
}

TEST_F(BrainServiceTest, OpenIncidentGetsExactlyOneN0Decision) {
  start();
  auto incident = makeIncident({}, clock_.now());
  ASSERT_TRUE(deliver(incident).isOk());
  ASSERT_TRUE(deliver(incident).isOk());  // redelivered

  auto decisions = bus_->published("decision");
  ASSERT_EQ(decisions.size(), 1u);
  EXPECT_EQ(decisions[0]["incident_id"], incident.incident_id);
  EXPECT_EQ(decisions[0]["decision_type"], "NO_ACTION");
  EXPECT_EQ(decisions[0]["safety_classification"], "SAFE");
  EXPECT_EQ(decisions[0]["requires_approval"], false);
  EXPECT_EQ(decisions[0]["autonomy_level"], "N0");
  EXPECT_FALSE(decisions[0].contains("proposed_action"));
  EXPECT_EQ(decisions[0]["tags"]["node"], "node-a");
  EXPECT_EQ(metric("orion_brain_decisions_total", {{"type", "NO_ACTION"}, {"autonomy", "N0"}}), 1);
  EXPECT_EQ(metric("orion_brain_incidents_total"), 1);
  EXPECT_EQ(metric("orion_brain_duplicates_total"), 1);
}

TEST_F(BrainServiceTest, SeverityUpdateGetsItsOwnDecisionAndResolutionGetsNone) {
  start();
  auto incident = makeIncident({}, clock_.now());
  ASSERT_TRUE(deliver(incident).isOk());
  incident.severity = IncidentSeverity::kCritical;
  incident.event_ids.push_back(newUuid());
  ASSERT_TRUE(deliver(incident).isOk());
  incident.state = IncidentState::kResolved;
  incident.event_ids.push_back(newUuid());
  ASSERT_TRUE(deliver(incident).isOk());
  ASSERT_TRUE(deliver(incident).isOk());

  auto decisions = bus_->published("decision");
  ASSERT_EQ(decisions.size(), 2u);
  EXPECT_NE(decisions[1]["reasoning"].get<std::string>().find("severity=critical, events=2"),
            std::string::npos);
  EXPECT_EQ(metric("orion_brain_incidents_skipped_total", {{"state", "resolved"}}), 1);
  EXPECT_EQ(metric("orion_brain_incidents_total"), 3);
  EXPECT_EQ(metric("orion_brain_duplicates_total"), 1);
}

TEST_F(BrainServiceTest, FailedPublishIsRetriedAndDecidedOnce) {
  start();
  auto incident = makeIncident({}, clock_.now());
  bus_->failPublishes(1);
  Status failed = deliver(incident);
  EXPECT_EQ(failed.code(), StatusCode::kUnavailable);
  EXPECT_EQ(metric("orion_brain_publish_failures_total"), 1);
  EXPECT_EQ(metric("orion_brain_incidents_total"), 0);

  ASSERT_TRUE(bus_->deliver("incident", incident.toJson(), 2).isOk());
  ASSERT_TRUE(bus_->deliver("incident", incident.toJson(), 3).isOk());
  EXPECT_EQ(bus_->published("decision").size(), 1u);
  EXPECT_EQ(metric("orion_brain_incidents_total"), 1);
}

TEST_F(BrainServiceTest, ConfiguredN2DecidesAsN0AndReportsDegraded) {
  start(config::Autonomy::kN2);
  EXPECT_EQ(metric("orion_brain_autonomy_degraded"), 1);
  ASSERT_TRUE(
      deliver(makeIncident({.severity = IncidentSeverity::kCritical}, clock_.now())).isOk());
  auto decisions = bus_->published("decision");
  ASSERT_EQ(decisions.size(), 1u);
  EXPECT_EQ(decisions[0]["decision_type"], "NO_ACTION");
  EXPECT_EQ(decisions[0]["autonomy_level"], "N0");
  EXPECT_EQ(decisions[0]["tags"]["configured_autonomy"], "N2");
}

TEST_F(BrainServiceTest, UnreadableIncidentIsRejectedForTheDeadLetterStream) {
  start();
  EXPECT_EQ(metric("orion_brain_autonomy_degraded"), 0);
  Status status = bus_->deliver("incident", Json{{"incident_id", "not a uuid"}});
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(metric("orion_brain_incidents_rejected_total"), 1);
  EXPECT_TRUE(bus_->published("decision").empty());
}

}  // namespace
}  // namespace orion::brain
