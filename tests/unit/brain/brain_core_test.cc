// The brain's core on a simulated clock: executions (not decisions) feed cooldowns, rate limits,
// breakers, the budget and the escalation ladder; failed outcomes and lifted gates re-decide.
#include "brain/brain_core.h"

#include <gtest/gtest.h>

#include "common/time.h"
#include "core_fixture.h"

namespace orion::brain {
namespace {

using namespace std::chrono_literals;
using contracts::AutonomyLevel;
using contracts::DecisionType;
using contracts::OutcomeStatus;
using contracts::SafetyClass;
using testing::containerOutage;
using testing::CoreFixture;
using testing::tag;

using BrainCoreTest = CoreFixture;

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

TEST_F(BrainCoreTest, UnhealthyContainerIsRestartedWithParametersFromTheIncident) {
  auto decision = decideOne(containerOutage(clock_.now()));
  EXPECT_EQ(decision.decision_type, DecisionType::kExecuteSafeAction);
  EXPECT_EQ(decision.safety_classification, SafetyClass::kSafe);
  EXPECT_FALSE(decision.requires_approval);
  ASSERT_TRUE(decision.proposed_action.has_value());
  EXPECT_EQ(decision.proposed_action->action_type, "restart_container");
  EXPECT_EQ(
      decision.proposed_action->parameters,
      (Json{{"service_name", "jellyfin"}, {"container_id", "c0ffee-jellyfin"}, {"node", "nas"}}));
  EXPECT_EQ(tag(decision, "rule"), "unhealthy-container");
  EXPECT_EQ(tag(decision, "rule_step"), "1/3");
  EXPECT_EQ(tag(decision, "target"), "jellyfin");
  EXPECT_EQ(tag(decision, "decided_by"), "all_gates_passed");
  EXPECT_EQ(tag(decision, "gates"),
            "autonomy=pass,classification=pass,incident_cooldown=pass,action_cooldown=pass,"
            "rate_limit=pass,circuit_breaker=pass,budget=pass,approval=skip");
  EXPECT_TRUE(contains(decision.reasoning, "Executing SAFE action restart_container for jellyfin"))
      << decision.reasoning;
}

TEST_F(BrainCoreTest, CooldownCountsTheExecutionPerEntityAndLiftsByItself) {
  auto first = decideOne(containerOutage(clock_.now()));
  execute(first, OutcomeStatus::kSucceeded, 2s);
  clock_.advance(88s);

  // A new outage of the same service 90 s after the restart: in cooldown (300 s per service).
  auto again = decideOne(containerOutage(clock_.now()));
  EXPECT_EQ(again.decision_type, DecisionType::kNoAction);
  EXPECT_EQ(tag(again, "decided_by"), "action_cooldown");
  EXPECT_EQ(tag(again, "gate.action_cooldown"),
            "block: restart_container/jellyfin: 212 s remaining of 300 s");
  EXPECT_TRUE(contains(again.reasoning, "cooldown")) << again.reasoning;
  EXPECT_TRUE(contains(again.reasoning, "remaining")) << again.reasoning;
  EXPECT_FALSE(again.proposed_action.has_value());
  EXPECT_NE(tag(again, "retry_at"), "<none>");

  // Another service is not held back by jellyfin's cooldown.
  auto other = decideOne(containerOutage(clock_.now(), "sonarr"));
  EXPECT_EQ(other.decision_type, DecisionType::kExecuteSafeAction);

  // When the cooldown lifts, the blocked incident is decided again without a new event.
  clock_.advance(100s);
  core_->onTick(*policy_, clock_.now());
  EXPECT_TRUE(decisions().empty()) << "not yet: 112 s remain";
  clock_.advance(113s);
  core_->onTick(*policy_, clock_.now());
  auto retried = decisions();
  ASSERT_EQ(retried.size(), 1u);
  EXPECT_EQ(retried[0].incident_id, again.incident_id);
  EXPECT_EQ(retried[0].decision_type, DecisionType::kExecuteSafeAction);
}

TEST_F(BrainCoreTest, DecisionsAloneNeverStartACooldown) {
  // Five decisions to restart jellyfin that nobody executed: the sixth is still allowed.
  for (int i = 0; i < 5; ++i) {
    auto decision = decideOne(containerOutage(clock_.now()));
    EXPECT_EQ(decision.decision_type, DecisionType::kExecuteSafeAction) << i;
    clock_.advance(1s);
  }
}

TEST_F(BrainCoreTest, ARunningActionBlocksASecondOneOnTheSameEntity) {
  auto first = decideOne(containerOutage(clock_.now()));
  ASSERT_EQ(core_->onAction(testing::actionFor(first, clock_.now()), *policy_, clock_.now()),
            ActionVerdict::kStarted);
  clock_.advance(5s);
  auto second = decideOne(containerOutage(clock_.now()));
  EXPECT_EQ(second.decision_type, DecisionType::kNoAction);
  EXPECT_TRUE(contains(tag(second, "gate.action_cooldown"), "is still running"))
      << tag(second, "gate.action_cooldown");
}

TEST_F(BrainCoreTest, TheLadderClimbsOnFailedOutcomesAndRestartsOnSuccess) {
  makeCore(AutonomyLevel::kN3);
  auto incident = containerOutage(clock_.now());
  auto step1 = decideOne(incident);
  ASSERT_EQ(step1.proposed_action->action_type, "restart_container");

  // First failure: re-decided at once; still step 1, but its cooldown now holds it back.
  execute(step1, OutcomeStatus::kFailed);
  auto after_one = decisions();
  ASSERT_EQ(after_one.size(), 1u);
  EXPECT_EQ(after_one[0].decision_type, DecisionType::kNoAction);
  EXPECT_EQ(tag(after_one[0], "rule_step"), "1/3");
  EXPECT_EQ(tag(after_one[0], "ladder_failures"), "1");

  // The cooldown lifts, restart again, it fails again: the ladder moves to the RISKY step.
  clock_.advance(301s);
  core_->onTick(*policy_, clock_.now());
  auto retry = decisions();
  ASSERT_EQ(retry.size(), 1u);
  ASSERT_EQ(retry[0].decision_type, DecisionType::kExecuteSafeAction);
  execute(retry[0], OutcomeStatus::kFailed);
  auto held = decisions();
  ASSERT_EQ(held.size(), 1u);
  // Re-decided at once: the ladder is on step 2 already, but the incident's decision cooldown
  // (an action was proposed for it 2 s ago) holds it for the rest of its 30 s.
  EXPECT_EQ(tag(held[0], "action"), "recreate_container");
  EXPECT_EQ(tag(held[0], "decided_by"), "incident_cooldown");
  clock_.advance(30s);
  core_->onTick(*policy_, clock_.now());
  auto step2 = decisions();
  ASSERT_EQ(step2.size(), 1u);
  EXPECT_EQ(step2[0].decision_type, DecisionType::kRequestApproval);
  EXPECT_TRUE(step2[0].requires_approval);
  EXPECT_EQ(step2[0].safety_classification, SafetyClass::kRisky);
  EXPECT_EQ(step2[0].proposed_action->action_type, "recreate_container");
  EXPECT_EQ(tag(step2[0], "rule_step"), "2/3");
  ASSERT_EQ(others_.size(), 1u);
  EXPECT_EQ(others_[0].type, "approval_request");
  auto request = contracts::ApprovalRequest::fromJson(others_[0].document);
  ASSERT_TRUE(request.isOk()) << request.status().message();
  EXPECT_EQ(request->decision_id, step2[0].decision_id);
  EXPECT_EQ(request->expires_at, clock_.now() + 300s);
  EXPECT_EQ(request->risk_level, SafetyClass::kRisky);

  // The admin approved, the recreate ran and failed: only a notification is left.
  execute(step2[0], OutcomeStatus::kFailed);
  clock_.advance(31s);  // past the incident decision cooldown
  core_->onTick(*policy_, clock_.now());
  auto step3 = decisions();
  ASSERT_FALSE(step3.empty());
  EXPECT_EQ(step3.back().proposed_action->action_type, "send_notification");
  EXPECT_EQ(tag(step3.back(), "rule_step"), "3/3");
  execute(step3.back(), OutcomeStatus::kSucceeded);

  // A verified success of the rule on this target starts the ladder again.
  EXPECT_EQ(core_->state().ladderFailures("unhealthy-container", "jellyfin", clock_.now(), 6h), 0);
}

TEST_F(BrainCoreTest, AnUnverifiedSuccessNeitherResetsTheLadderNorClosesABreaker) {
  auto first = decideOne(containerOutage(clock_.now()));
  execute(first, OutcomeStatus::kFailed);
  decisions();
  clock_.advance(301s);
  core_->onTick(*policy_, clock_.now());
  auto retry = decisions();
  ASSERT_EQ(retry.size(), 1u);
  execute(retry[0], OutcomeStatus::kSucceeded, 2s, /*verified=*/false);
  EXPECT_EQ(core_->state().ladderFailures("unhealthy-container", "jellyfin", clock_.now(), 1h), 1);
}

// Three failed restarts of jellyfin, far enough apart to pass each cooldown; a rule with a
// one-step ladder keeps proposing the restart. The next decision meets an open breaker.
class BrainBreakerTest : public CoreFixture {
 protected:
  // A policy whose one rule, for every service outage, proposes `action` with `parameters`.
  void useOneStepRule(const std::string& action, const std::string& parameters) {
    constexpr std::string_view kRules = R"(version: "1.0"
rules:
  - name: one-step
    match: {{incident_types: [service_outage]}}
    steps:
      - action: {}
        parameters: {}
)";
    policy_ = testing::loadPolicy(
        rules_dir_, {{"rules.yaml", fmt::format(fmt::runtime(kRules), action, parameters)}});
  }
  void failRestartsThreeTimes() {
    useOneStepRule("restart_container",
                   R"({service_name: "{service_name}", container_id: "{container_id}"})");
    for (int i = 0; i < 3; ++i) {
      auto decision = decideOne(containerOutage(clock_.now()));
      ASSERT_EQ(decision.decision_type, DecisionType::kExecuteSafeAction) << i;
      execute(decision, OutcomeStatus::kFailed);
      decisions();
      clock_.advance(std::chrono::seconds(301));
    }
  }
  testing::TempDir rules_dir_;
};

TEST_F(BrainBreakerTest, AtN3AnOpenBreakerAsksTheAdminForAForceThatOverridesIt) {
  makeCore(AutonomyLevel::kN3);
  failRestartsThreeTimes();
  others_.clear();
  auto asked = decideOne(containerOutage(clock_.now()));
  EXPECT_EQ(asked.decision_type, DecisionType::kRequestApproval);
  EXPECT_TRUE(asked.requires_approval);
  EXPECT_EQ(tag(asked, "requires_override"), "circuit_breaker");
  EXPECT_TRUE(contains(tag(asked, "gate.circuit_breaker"), "--override-breaker"))
      << tag(asked, "gate.circuit_breaker");
  EXPECT_TRUE(contains(asked.reasoning, "override-breaker")) << asked.reasoning;
  ASSERT_EQ(others_.size(), 1u);
  ASSERT_EQ(others_[0].type, "approval_request");
  EXPECT_EQ(others_[0].document["tags"]["requires_override"], "circuit_breaker");
  EXPECT_EQ(others_[0].document["tags"]["reason"], "circuit_breaker_open");

  // A SAFE action's cooldown alone is no question for the admin: it still blocks at N3, and the
  // brain runs it by itself once time lifts it.
  makeCore(AutonomyLevel::kN3);
  auto first = decideOne(containerOutage(clock_.now(), "sonarr"));
  execute(first, OutcomeStatus::kSucceeded, 2s);
  auto cooling = decideOne(containerOutage(clock_.now(), "sonarr"));
  EXPECT_EQ(cooling.decision_type, DecisionType::kNoAction);
  EXPECT_EQ(tag(cooling, "decided_by"), "action_cooldown");
}

TEST_F(BrainBreakerTest, AtN3ARiskyActionInItsCooldownAsksForAForceThatOverridesIt) {
  makeCore(AutonomyLevel::kN3);
  useOneStepRule("prune_images", R"({node: "{node}"})");
  auto first = decideOne(containerOutage(clock_.now()));
  ASSERT_EQ(first.decision_type, DecisionType::kRequestApproval);
  EXPECT_EQ(tag(first, "requires_override"), "<none>") << "nothing to override yet";
  execute(first, OutcomeStatus::kSucceeded, 2s);  // the admin approved it and it ran
  others_.clear();

  // The test policy gives prune_images the global default cooldown (60 s per target): another
  // outage of the same service 30 s later.
  clock_.advance(30s);
  auto again = decideOne(containerOutage(clock_.now()));
  EXPECT_EQ(again.decision_type, DecisionType::kRequestApproval);
  EXPECT_EQ(tag(again, "requires_override"), "cooldown") << tag(again, "gates");
  auto until = parseRfc3339(tag(again, "cooldown_until"));
  ASSERT_TRUE(until.isOk()) << tag(again, "cooldown_until");
  EXPECT_GT(*until, clock_.now());
  EXPECT_LE(*until, clock_.now() + 30s);
  EXPECT_TRUE(contains(tag(again, "gate.action_cooldown"), "--override-cooldown"))
      << tag(again, "gate.action_cooldown");
  EXPECT_TRUE(contains(again.reasoning, "a plain approve runs it after that")) << again.reasoning;
  ASSERT_EQ(others_.size(), 1u);
  EXPECT_EQ(others_[0].document["tags"]["requires_override"], "cooldown");
  EXPECT_EQ(others_[0].document["tags"]["reason"], "risky") << "asked because it is RISKY";
  EXPECT_EQ(others_[0].document["tags"]["cooldown_until"], tag(again, "cooldown_until"));
}

TEST_F(BrainBreakerTest, ThreeFailuresOpenThePerTargetBreaker) {
  failRestartsThreeTimes();
  auto blocked = decideOne(containerOutage(clock_.now()));
  EXPECT_EQ(blocked.decision_type, DecisionType::kNoAction);
  EXPECT_EQ(tag(blocked, "decided_by"), "circuit_breaker");
  EXPECT_TRUE(contains(tag(blocked, "gate.circuit_breaker"), "is OPEN after 3 failures"))
      << tag(blocked, "gate.circuit_breaker");
  EXPECT_TRUE(contains(blocked.reasoning, "OPEN")) << blocked.reasoning;

  // Half-open after 10 minutes: one trial; its verified success closes the breaker.
  clock_.advance(10min);
  auto trial = decideOne(containerOutage(clock_.now()));
  ASSERT_EQ(trial.decision_type, DecisionType::kExecuteSafeAction);
  EXPECT_TRUE(contains(tag(trial, "gate.circuit_breaker"), "half-open (this action is the trial)"));
  auto action = testing::actionFor(trial, clock_.now());
  ASSERT_EQ(core_->onAction(action, *policy_, clock_.now()), ActionVerdict::kStarted);
  auto during = decideOne(containerOutage(clock_.now(), "sonarr"));
  EXPECT_EQ(tag(during, "decided_by"), "circuit_breaker")
      << "the type-wide breaker is half-open too";
  clock_.advance(3s);
  ASSERT_EQ(core_->onOutcome(testing::outcomeFor(action, OutcomeStatus::kSucceeded, clock_.now()),
                             *policy_, clock_.now()),
            OutcomeVerdict::kApplied);
  auto scope = targetScope("restart_container", "jellyfin");
  ASSERT_NE(core_->state().breaker(scope), nullptr);
  EXPECT_EQ(core_->state().breaker(scope)->phase(policy_->breaker(), clock_.now()),
            BreakerPhase::kClosed);
}

TEST_F(BrainCoreTest, AnExhaustedBudgetAsksTheAdminInsteadOfActing) {
  // The budget is 5 automatic actions in 10 minutes; five services restarted.
  for (std::string service : {"a1", "a2", "a3", "a4", "a5"}) {
    auto decision = decideOne(containerOutage(clock_.now(), service));
    ASSERT_EQ(decision.decision_type, DecisionType::kExecuteSafeAction) << service;
    execute(decision, OutcomeStatus::kSucceeded);
  }
  auto sixth = decideOne(containerOutage(clock_.now(), "a6"));
  EXPECT_EQ(sixth.decision_type, DecisionType::kRequestApproval);
  EXPECT_EQ(sixth.safety_classification, SafetyClass::kSafe);
  EXPECT_EQ(tag(sixth, "decided_by"), "approval");
  EXPECT_TRUE(
      contains(tag(sixth, "gate.budget"), "5 automatic actions within the last 10m (max 5)"))
      << tag(sixth, "gate.budget");
  ASSERT_EQ(others_.size(), 1u);
  EXPECT_EQ(others_[0].document["tags"]["reason"], "budget_exhausted");

  // An approved action does not use the budget; after the window it has room again.
  clock_.advance(10min);
  EXPECT_EQ(decideOne(containerOutage(clock_.now(), "a7")).decision_type,
            DecisionType::kExecuteSafeAction);
}

TEST_F(BrainCoreTest, RateLimitCountsExecutionsOfTheActionType) {
  // restart_container is "6 per hour"; a budget and cooldowns of their own do not interfere
  // (different services, spaced past the budget window).
  for (int i = 0; i < 6; ++i) {
    auto decision = decideOne(containerOutage(clock_.now(), "svc" + std::to_string(i)));
    ASSERT_EQ(decision.decision_type, DecisionType::kExecuteSafeAction) << i;
    execute(decision, OutcomeStatus::kSucceeded);
    clock_.advance(9min);
  }
  auto seventh = decideOne(containerOutage(clock_.now(), "svc6"));
  EXPECT_EQ(tag(seventh, "decided_by"), "rate_limit");
  EXPECT_TRUE(contains(tag(seventh, "gate.rate_limit"), "6 runs within the last 1h"))
      << tag(seventh, "gate.rate_limit");
}

TEST_F(BrainCoreTest, AnOutcomeBeforeItsActionIsAppliedWhenTheActionArrives) {
  auto decision = decideOne(containerOutage(clock_.now()));
  auto action = testing::actionFor(decision, clock_.now());
  clock_.advance(2s);
  auto outcome = testing::outcomeFor(action, OutcomeStatus::kSucceeded, clock_.now());
  EXPECT_EQ(core_->onOutcome(outcome, *policy_, clock_.now()), OutcomeVerdict::kParked);
  EXPECT_FALSE(core_->state().lastExecution("restart_container/jellyfin").has_value());
  EXPECT_EQ(core_->onAction(action, *policy_, clock_.now()), ActionVerdict::kStarted);
  EXPECT_EQ(core_->state().lastExecution("restart_container/jellyfin"), clock_.now());
  // Replays of either are recognised.
  EXPECT_EQ(core_->onAction(action, *policy_, clock_.now()), ActionVerdict::kDuplicate);
  EXPECT_EQ(core_->onOutcome(outcome, *policy_, clock_.now()), OutcomeVerdict::kDuplicate);
}

TEST_F(BrainCoreTest, DryRunsCountForNothing) {
  auto decision = decideOne(containerOutage(clock_.now()));
  auto action = testing::actionFor(decision, clock_.now());
  action.dry_run = true;
  EXPECT_EQ(core_->onAction(action, *policy_, clock_.now()), ActionVerdict::kIgnored);
  EXPECT_EQ(core_->state().inFlight(action.action_id), nullptr);
}

TEST_F(BrainCoreTest, RevisionsDecideOnceAndResolutionStopsFollowing) {
  auto incident = containerOutage(clock_.now(), "jellyfin", contracts::IncidentSeverity::kMedium);
  decideOne(incident);
  EXPECT_EQ(core_->onIncident(incident, *policy_, clock_.now()), IncidentVerdict::kDuplicate);
  incident.event_ids.push_back(newUuid());
  EXPECT_EQ(core_->onIncident(incident, *policy_, clock_.now()), IncidentVerdict::kUpdated);
  incident.severity = contracts::IncidentSeverity::kCritical;
  EXPECT_EQ(core_->onIncident(incident, *policy_, clock_.now()), IncidentVerdict::kDecided);
  decisions();
  incident.state = contracts::IncidentState::kResolved;
  EXPECT_EQ(core_->onIncident(incident, *policy_, clock_.now()), IncidentVerdict::kSkipped);
  EXPECT_TRUE(decisions().empty());
  EXPECT_TRUE(core_->state().dueIncidents(clock_.now() + 24h).empty());
}

TEST_F(BrainCoreTest, AutonomyChangeIsRecordedAndPublishedWithWhoAndWhy) {
  makeCore(AutonomyLevel::kN0);
  AutonomyChangeRequest request{
      "n2", "containers are stable now", "uid 1000 (alice), pid 7", 1000, 7, "alice"};
  auto change = core_->setAutonomy(request, clock_.now());
  ASSERT_TRUE(change.isOk()) << change.status().message();
  EXPECT_EQ(core_->level(), AutonomyLevel::kN2);
  auto queued = drain();
  ASSERT_EQ(queued.size(), 1u);
  EXPECT_EQ(queued[0].type, "autonomy_change");
  EXPECT_EQ(queued[0].document["previous_level"], "N0");
  EXPECT_EQ(queued[0].document["new_level"], "N2");
  EXPECT_EQ(queued[0].document["changed_by"]["uid"], 1000);
  EXPECT_EQ(queued[0].document["reason"], "containers are stable now");

  EXPECT_EQ(core_->setAutonomy(request, clock_.now()).status().code(),
            StatusCode::kFailedPrecondition)
      << "already N2";
  request.level = "N4";
  EXPECT_EQ(core_->setAutonomy(request, clock_.now()).status().code(),
            StatusCode::kInvalidArgument);
  request.level = "N3";
  request.reason = "  because ";
  EXPECT_EQ(core_->setAutonomy(request, clock_.now()).status().code(), StatusCode::kInvalidArgument)
      << "a reason is mandatory";
  EXPECT_EQ(core_->level(), AutonomyLevel::kN2);

  // The runtime level holds while the configuration still says N0; editing it wins.
  EXPECT_EQ(effectiveLevel(AutonomyLevel::kN0, core_->state().autonomy()), AutonomyLevel::kN2);
  EXPECT_EQ(effectiveLevel(AutonomyLevel::kN1, core_->state().autonomy()), AutonomyLevel::kN1);
}

}  // namespace
}  // namespace orion::brain
