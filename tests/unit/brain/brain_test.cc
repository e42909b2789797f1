// The brain service on a synchronous fake bus that validates every publish: subscriptions,
// decisions per revision, executions from the action/outcome streams, the outbox when the bus
// refuses, control operations (autonomy, policy reload), re-checks by the timer, and a restart
// on the same state directory.
#include "brain/brain.h"

#include <gtest/gtest.h>

#include "contracts/registry.h"
#include "control/control.h"
#include "policy_fixture.h"
#include "test_incidents.h"
#include "testing/fake_bus.h"
#include "testing/wait.h"

namespace orion::brain {
namespace {

using namespace std::chrono_literals;
using contracts::IncidentSeverity;
using contracts::IncidentState;
using testing::containerOutage;
using testing::FakeBus;
using testing::makeIncident;
using testing::TempDir;

class BrainServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto registry = contracts::ContractRegistry::loadEmbedded();
    ASSERT_TRUE(registry.isOk()) << registry.status().toString();
    bus_ = std::make_unique<FakeBus>(*registry);
    policy_dir_ = testing::writePolicy(dir_);
  }
  void TearDown() override { stop(); }

  void start(config::Autonomy level = config::Autonomy::kN0, bool with_policy = true) {
    config::BrainConfig config;
    config.autonomy_level = level;
    config.policy_dir = with_policy ? policy_dir_.string() : (dir_.path() / "none").string();
    config.recheck_interval = 10ms;
    ModuleContext context{*bus_, clock_, metrics_, "n", (dir_.path() / "state").string(), &router_};
    brain_ = makeBrain(config, context);
    Status started = brain_->start();
    ASSERT_TRUE(started.isOk()) << started.toString();
  }
  void stop() {
    if (brain_) brain_->stop(clock_.monotonic());
    brain_.reset();
  }

  Status deliver(std::string_view type, const Json& document) {
    return bus_->deliver(type, document);
  }
  double metric(std::string_view name, const Labels& labels = {}) {
    return metrics_.read(name, labels);
  }
  std::vector<Json> decisions() const { return bus_->published("decision"); }
  Result<Json> call(const std::string& op, Json args = Json::object()) {
    return router_.dispatch(
        control::Request{op, std::move(args), {1000, 1000, 42, "alice", "", ""}});
  }

  TempDir dir_;
  std::filesystem::path policy_dir_;
  SimulatedClock clock_;
  MetricsRegistry metrics_;
  control::Router router_;
  std::unique_ptr<FakeBus> bus_;
  std::unique_ptr<Service> brain_;
};

TEST_F(BrainServiceTest, SubscribesToIncidentsActionsAndOutcomesAsGroupBrain) {
  start();
  auto subscriptions = bus_->subscriptions();
  ASSERT_EQ(subscriptions.size(), 3u);
  std::set<std::string> types;
  for (const auto& s : subscriptions) {
    types.insert(s.type);
    EXPECT_EQ(s.group, "brain");
  }
  EXPECT_EQ(types, (std::set<std::string>{"incident", "action", "outcome"}));
  EXPECT_EQ(router_.ops(), (std::vector<std::string>{"autonomy.set", "autonomy.show",
                                                     "policy.reload", "policy.show"}));
  stop();
  EXPECT_TRUE(router_.ops().empty()) << "operations are unregistered on stop";
}

TEST_F(BrainServiceTest, OneN0DecisionPerRevisionAndNoneForResolution) {
  start();
  auto incident = makeIncident({}, clock_.now());
  ASSERT_TRUE(deliver("incident", incident.toJson()).isOk());
  ASSERT_TRUE(deliver("incident", incident.toJson()).isOk());  // redelivered
  incident.event_ids.push_back(newUuid());                     // absorbed event: same revision
  ASSERT_TRUE(deliver("incident", incident.toJson()).isOk());
  incident.severity = IncidentSeverity::kCritical;
  ASSERT_TRUE(deliver("incident", incident.toJson()).isOk());
  incident.state = IncidentState::kResolved;
  ASSERT_TRUE(deliver("incident", incident.toJson()).isOk());

  auto published = decisions();
  ASSERT_EQ(published.size(), 2u);
  for (const Json& d : published) {
    EXPECT_EQ(d["decision_type"], "NO_ACTION");
    EXPECT_EQ(d["autonomy_level"], "N0");
    EXPECT_FALSE(d.contains("proposed_action"));
  }
  EXPECT_NE(published[1]["reasoning"].get<std::string>().find("severity=critical"),
            std::string::npos);
  EXPECT_EQ(metric("orion_brain_decisions_total", {{"type", "NO_ACTION"}, {"autonomy", "N0"}}), 2);
  EXPECT_EQ(metric("orion_brain_duplicates_total"), 1);
  EXPECT_EQ(metric("orion_brain_incident_updates_total"), 1);
  EXPECT_EQ(metric("orion_brain_incidents_skipped_total", {{"state", "resolved"}}), 1);
  EXPECT_EQ(metric("orion_brain_policy_valid"), 1);
}

TEST_F(BrainServiceTest, ExecutionsFromTheBusFeedTheCooldown) {
  start(config::Autonomy::kN2);
  ASSERT_TRUE(deliver("incident", containerOutage(clock_.now()).toJson()).isOk());
  ASSERT_EQ(decisions().size(), 1u);
  auto decision = contracts::Decision::fromJson(decisions()[0]);
  ASSERT_TRUE(decision.isOk());
  EXPECT_EQ(decision->decision_type, contracts::DecisionType::kExecuteSafeAction);

  auto action = testing::actionFor(*decision, clock_.now());
  ASSERT_TRUE(deliver("action", action.toJson()).isOk());
  clock_.advance(3s);
  ASSERT_TRUE(
      deliver(
          "outcome",
          testing::outcomeFor(action, contracts::OutcomeStatus::kSucceeded, clock_.now()).toJson())
          .isOk());
  EXPECT_EQ(metric("orion_brain_actions_total", {{"result", "started"}}), 1);
  EXPECT_EQ(metric("orion_brain_outcomes_total", {{"result", "applied"}}), 1);

  ASSERT_TRUE(deliver("incident", containerOutage(clock_.now()).toJson()).isOk());
  ASSERT_EQ(decisions().size(), 2u);
  EXPECT_EQ(decisions()[1]["decision_type"], "NO_ACTION");
  EXPECT_EQ(decisions()[1]["tags"]["decided_by"], "action_cooldown");
  EXPECT_EQ(metric("orion_brain_gate_blocks_total", {{"gate", "action_cooldown"}}), 1);

  // The timer looks again once the cooldown has lifted.
  clock_.advance(300s);
  ASSERT_TRUE(testing::waitUntil([&] { return decisions().size() == 3; }));
  EXPECT_EQ(decisions()[2]["decision_type"], "EXECUTE_SAFE_ACTION");
  EXPECT_GE(metric("orion_brain_rechecks_total"), 1);
}

TEST_F(BrainServiceTest, ARefusedPublishIsKeptAndPublishedOnce) {
  start();
  auto incident = makeIncident({}, clock_.now());
  bus_->failPublishes(1);
  ASSERT_TRUE(deliver("incident", incident.toJson()).isOk()) << "decided and kept durably";
  EXPECT_EQ(metric("orion_brain_publish_failures_total"), 1);
  ASSERT_TRUE(testing::waitUntil([&] { return decisions().size() == 1; }));
  ASSERT_TRUE(deliver("incident", incident.toJson()).isOk());
  EXPECT_EQ(decisions().size(), 1u);
  EXPECT_EQ(metric("orion_brain_outbox_pending"), 0);
}

TEST_F(BrainServiceTest, TheAdminChangesAutonomyAndItIsAuditedAndKept) {
  start();
  auto shown = call("autonomy.show");
  ASSERT_TRUE(shown.isOk());
  EXPECT_EQ((*shown)["level"], "N0");
  EXPECT_EQ((*shown)["source"], "config");

  EXPECT_EQ(call("autonomy.set", {{"level", "N2"}}).status().code(), StatusCode::kInvalidArgument)
      << "a reason is required";
  auto changed = call("autonomy.set", {{"level", "N2"}, {"reason", "restarts are reliable now"}});
  ASSERT_TRUE(changed.isOk()) << changed.status().message();
  EXPECT_EQ((*changed)["previous_level"], "N0");
  EXPECT_EQ((*changed)["level"], "N2");
  EXPECT_EQ((*changed)["audited"], true);
  auto audit = bus_->published("autonomy_change");
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0]["changed_by"]["uid"], 1000);
  EXPECT_EQ(audit[0]["changed_by"]["description"], "uid 1000 (alice), pid 42");
  EXPECT_EQ(audit[0]["reason"], "restarts are reliable now");
  EXPECT_EQ(metric("orion_brain_autonomy_level"), 2);

  ASSERT_TRUE(deliver("incident", containerOutage(clock_.now()).toJson()).isOk());
  EXPECT_EQ(decisions().back()["decision_type"], "EXECUTE_SAFE_ACTION");

  // After a restart on the same state directory the admin's level is still in force.
  stop();
  start();
  auto again = call("autonomy.show");
  ASSERT_TRUE(again.isOk());
  EXPECT_EQ((*again)["level"], "N2");
  EXPECT_EQ((*again)["source"], "runtime");
  EXPECT_EQ((*again)["last_change"]["reason"], "restarts are reliable now");
}

TEST_F(BrainServiceTest, PolicyReloadSwapsOnlyAValidPolicy) {
  start(config::Autonomy::kN2);
  auto before = call("policy.show");
  ASSERT_TRUE(before.isOk());
  EXPECT_EQ((*before)["loaded"], true);

  dir_.write("policies/actions_safe.yaml", "version: \"1.0\"\nsafe_actions: {broken: true}\n");
  auto failed = call("policy.reload");
  ASSERT_FALSE(failed.isOk());
  EXPECT_EQ(failed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(failed.status().message().find("actions_safe.yaml:2: safe_actions: expected a list"),
            std::string::npos)
      << failed.status().message();
  EXPECT_EQ(metric("orion_brain_policy_reloads_total", {{"result", "failed"}}), 1);
  EXPECT_EQ(metric("orion_brain_policy_valid"), 1) << "the old policy stays in force";
  ASSERT_TRUE(deliver("incident", containerOutage(clock_.now()).toJson()).isOk());
  EXPECT_EQ(decisions().back()["decision_type"], "EXECUTE_SAFE_ACTION");
  EXPECT_EQ(decisions().back()["tags"]["policy"], (*before)["digest"]);

  // Fixed, and restart_container made RISKY: the new snapshot decides.
  dir_.write("policies/actions_safe.yaml",
             "version: \"1.0\"\nsafe_actions:\n  - action_type: send_notification\n  - "
             "action_type: acknowledge_incident\n");
  dir_.write("policies/actions_risky.yaml",
             "version: \"1.0\"\nrisky_actions:\n  - action_type: restart_container\n  - "
             "action_type: recreate_container\n  - action_type: prune_images\n");
  auto reloaded = call("policy.reload");
  ASSERT_TRUE(reloaded.isOk()) << reloaded.status().message();
  EXPECT_NE((*reloaded)["digest"], (*before)["digest"]);
  ASSERT_TRUE(deliver("incident", containerOutage(clock_.now(), "sonarr").toJson()).isOk());
  EXPECT_EQ(decisions().back()["decision_type"], "SUGGEST_ACTION");
  EXPECT_EQ(decisions().back()["safety_classification"], "RISKY");
}

TEST_F(BrainServiceTest, WithoutAValidPolicyNothingIsSafe) {
  start(config::Autonomy::kN3, /*with_policy=*/false);
  EXPECT_EQ(metric("orion_brain_policy_valid"), 0);
  ASSERT_TRUE(deliver("incident", containerOutage(clock_.now()).toJson()).isOk());
  ASSERT_EQ(decisions().size(), 1u);
  EXPECT_EQ(decisions()[0]["decision_type"], "NO_ACTION");
  EXPECT_EQ(decisions()[0]["tags"]["decided_by"], "policy_invalid");
  auto shown = call("policy.show");
  ASSERT_TRUE(shown.isOk());
  EXPECT_EQ((*shown)["loaded"], false);
  EXPECT_NE((*shown)["problem"].get<std::string>().find("policy directory not found"),
            std::string::npos);
}

TEST_F(BrainServiceTest, ARestartKeepsTheCooldown) {
  start(config::Autonomy::kN2);
  ASSERT_TRUE(deliver("incident", containerOutage(clock_.now()).toJson()).isOk());
  auto decision = contracts::Decision::fromJson(decisions().back());
  ASSERT_TRUE(decision.isOk());
  auto action = testing::actionFor(*decision, clock_.now());
  ASSERT_TRUE(deliver("action", action.toJson()).isOk());
  ASSERT_TRUE(
      deliver(
          "outcome",
          testing::outcomeFor(action, contracts::OutcomeStatus::kSucceeded, clock_.now()).toJson())
          .isOk());
  stop();
  clock_.advance(60s);
  start(config::Autonomy::kN2);
  ASSERT_TRUE(deliver("incident", containerOutage(clock_.now()).toJson()).isOk());
  EXPECT_EQ(decisions().back()["tags"]["decided_by"], "action_cooldown");
}

TEST_F(BrainServiceTest, UnreadableDocumentsAreRejectedForTheDeadLetterStream) {
  start();
  EXPECT_EQ(deliver("incident", Json{{"incident_id", "not a uuid"}}).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(deliver("action", Json{{"action_id", 1}}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(deliver("outcome", Json::object()).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(metric("orion_brain_incidents_rejected_total"), 1);
  EXPECT_TRUE(decisions().empty());
}

}  // namespace
}  // namespace orion::brain
