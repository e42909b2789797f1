// The decision documents, word for word. The golden table checks substrings; these pin whole
// documents (reasoning, every tag, the approval request) for one decision of each kind, so that
// the way the explanation is written (in place, tags in key order, explain.h) can never change
// what it says. Also the pieces it is written with: durations and the state's view lookups.
#include <gtest/gtest.h>

#include "brain/decider.h"
#include "brain/gates.h"
#include "brain/text.h"
#include "common/time.h"
#include "test_incidents.h"

namespace orion::brain {
namespace {

using namespace std::chrono_literals;
using contracts::AutonomyLevel;
using contracts::OutcomeStatus;

constexpr const char* kIncidentId = "11111111-1111-4111-8111-111111111111";
constexpr const char* kDecisionId = "00000000-0000-4000-8000-000000000001";
constexpr const char* kRequestId = "00000000-0000-4000-8000-000000000002";

class ExplanationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto shipped = policy::Policy::load(ORION_SOURCE_DIR "/policies");
    ASSERT_TRUE(shipped.isOk()) << shipped.status().message();
    policy_ = *shipped;
  }

  contracts::Incident jellyfinDown() {
    auto incident = testing::containerOutage(clock_.now(), "jellyfin",
                                             contracts::IncidentSeverity::kHigh, kIncidentId);
    incident.event_ids = {"22222222-2222-4222-8222-222222222222"};
    return incident;
  }

  // `count` restarts of `service`, `ago` and then every `spacing` before that, ending `status`.
  void restarted(const std::string& service, OutcomeStatus status, Duration ago, int count = 1,
                 Duration spacing = 1min) {
    Json parameters = {{"service_name", service}};
    for (int i = count - 1; i >= 0; --i) {
      WallTime at = clock_.now() - ago - spacing * i;
      std::string id = fmt::format("33333333-3333-4333-8333-{:012x}", ++actions_);
      state_.startAction(
          InFlight{id, "", "restart_container", cooldownKeyOf("restart_container", service),
                   policy_->targetOf("restart_container", parameters), true, at},
          *policy_);
      state_.finishAction(id, status, true, at, *policy_);
    }
  }

  DecisionResult decideAt(AutonomyLevel level, const contracts::Incident& incident) {
    return decide(
        DecideInput{incident, *policy_, state_, level, clock_.now(), kDecisionId, kRequestId});
  }

  // The decision's document, with what depends on the checkout rather than on the decider (the
  // policy digest, which follows the shipped files' bytes, and the source directory in
  // "actions_safe.yaml:37"-style locations) replaced by fixed words.
  Json documentOf(const contracts::Decision& decision) {
    Json document = decision.toJson();
    EXPECT_EQ(document["tags"]["policy"], policy_->digest());
    document["tags"]["policy"] = "<digest>";
    return withoutSourceDir(document);
  }

  static Json withoutSourceDir(const Json& document) {
    std::string text = document.dump();
    const std::string source = ORION_SOURCE_DIR;
    for (size_t at = text.find(source); at != std::string::npos; at = text.find(source, at)) {
      text.replace(at, source.size(), "<source>");
    }
    return Json::parse(text);
  }

  policy::PolicyPtr policy_;
  SimulatedClock clock_;  // 2026-01-01T00:00:00Z
  SafetyState state_;
  int actions_ = 0;
};

TEST_F(ExplanationTest, AnExecutedRestartSaysEveryGateItPassed) {
  DecisionResult result = decideAt(AutonomyLevel::kN2, jellyfinDown());
  EXPECT_EQ(documentOf(result.decision), Json::parse(R"json(
{
  "autonomy_level": "N2",
  "decision_id": "00000000-0000-4000-8000-000000000001",
  "decision_type": "EXECUTE_SAFE_ACTION",
  "incident_id": "11111111-1111-4111-8111-111111111111",
  "proposed_action": {
    "action_type": "restart_container",
    "parameters": {
      "container_id": "c0ffee-jellyfin",
      "node": "nas",
      "service_name": "jellyfin"
    }
  },
  "reasoning": "N2 mode (execute SAFE): detected service_outage (severity=high, events=1) on node nas: service jellyfin is down. Executing SAFE action restart_container for jellyfin (rule unhealthy-container, step 1 of 3): every gate passed. Gates: autonomy pass; classification pass; incident_cooldown pass; action_cooldown pass; rate_limit pass; circuit_breaker pass; budget pass; approval skip.",
  "requires_approval": false,
  "safety_classification": "SAFE",
  "source": "orion-brain",
  "tags": {
    "action": "restart_container",
    "decided_by": "all_gates_passed",
    "gate.action_cooldown": "pass: restart_container/jellyfin: never ran (cooldown 300 s)",
    "gate.approval": "skip: not required",
    "gate.autonomy": "pass: N2 executes SAFE actions",
    "gate.budget": "pass: 0 of 10 automatic actions within 15m",
    "gate.circuit_breaker": "pass: restart_container/jellyfin closed (0 failures); restart_container closed (0 failures)",
    "gate.classification": "pass: restart_container is SAFE (<source>/policies/actions_safe.yaml:37)",
    "gate.incident_cooldown": "pass: no action proposed for this incident in the last 30 s",
    "gate.rate_limit": "pass: restart_container: 0 of 6 (6 per hour)",
    "gates": "autonomy=pass,classification=pass,incident_cooldown=pass,action_cooldown=pass,rate_limit=pass,circuit_breaker=pass,budget=pass,approval=skip",
    "ladder_failures": "0",
    "node": "nas",
    "policy": "<digest>",
    "rule": "unhealthy-container",
    "rule_step": "1/3",
    "target": "jellyfin"
  },
  "timestamp": "2026-01-01T00:00:00.000000Z",
  "version": "1.0"
})json"));
  EXPECT_EQ(result.decided_by, "all_gates_passed");
  EXPECT_FALSE(result.approval_request.has_value());
}

TEST_F(ExplanationTest, ACooldownSaysHowLongAndWhenToLookAgain) {
  restarted("jellyfin", OutcomeStatus::kSucceeded, 90s);
  DecisionResult result = decideAt(AutonomyLevel::kN2, jellyfinDown());
  EXPECT_EQ(documentOf(result.decision), Json::parse(R"json(
{
  "autonomy_level": "N2",
  "decision_id": "00000000-0000-4000-8000-000000000001",
  "decision_type": "NO_ACTION",
  "incident_id": "11111111-1111-4111-8111-111111111111",
  "reasoning": "N2 mode (execute SAFE): detected service_outage (severity=high, events=1) on node nas: service jellyfin is down. No action taken: restart_container for jellyfin (rule unhealthy-container, step 1 of 3) would be proposed, but action_cooldown: restart_container/jellyfin: 210 s remaining of 300 s. Gates: autonomy pass; classification pass; incident_cooldown pass; action_cooldown BLOCK (restart_container/jellyfin: 210 s remaining of 300 s); rate_limit pass; circuit_breaker pass; budget pass; approval skip.",
  "requires_approval": false,
  "safety_classification": "SAFE",
  "source": "orion-brain",
  "tags": {
    "action": "restart_container",
    "decided_by": "action_cooldown",
    "gate.action_cooldown": "block: restart_container/jellyfin: 210 s remaining of 300 s",
    "gate.approval": "skip: not required",
    "gate.autonomy": "pass: N2 executes SAFE actions",
    "gate.budget": "pass: 1 of 10 automatic actions within 15m",
    "gate.circuit_breaker": "pass: restart_container/jellyfin closed (0 of 3 failures within 1h); restart_container closed (0 of 3 failures within 1h)",
    "gate.classification": "pass: restart_container is SAFE (<source>/policies/actions_safe.yaml:37)",
    "gate.incident_cooldown": "pass: no action proposed for this incident in the last 30 s",
    "gate.rate_limit": "pass: restart_container: 1 of 6 (6 per hour)",
    "gates": "autonomy=pass,classification=pass,incident_cooldown=pass,action_cooldown=block,rate_limit=pass,circuit_breaker=pass,budget=pass,approval=skip",
    "ladder_failures": "0",
    "node": "nas",
    "policy": "<digest>",
    "retry_at": "2026-01-01T00:03:30.000000Z",
    "rule": "unhealthy-container",
    "rule_step": "1/3",
    "target": "jellyfin"
  },
  "timestamp": "2026-01-01T00:00:00.000000Z",
  "version": "1.0"
})json"));
  ASSERT_TRUE(result.retry_at.has_value());
  EXPECT_EQ(*result.retry_at, clock_.now() + 210s);
}

TEST_F(ExplanationTest, AnOpenBreakerAtN3AsksForAForce) {
  restarted("jellyfin", OutcomeStatus::kFailed, 2min, 3, 10min);
  DecisionResult result = decideAt(AutonomyLevel::kN3, jellyfinDown());
  EXPECT_EQ(documentOf(result.decision), Json::parse(R"json(
{
  "autonomy_level": "N3",
  "decision_id": "00000000-0000-4000-8000-000000000001",
  "decision_type": "REQUEST_APPROVAL",
  "incident_id": "11111111-1111-4111-8111-111111111111",
  "proposed_action": {
    "action_type": "restart_container",
    "parameters": {
      "container_id": "c0ffee-jellyfin",
      "node": "nas",
      "service_name": "jellyfin"
    }
  },
  "reasoning": "N3 mode (execute SAFE, RISKY with approval): detected service_outage (severity=high, events=1) on node nas: service jellyfin is down. Requesting an admin's approval for restart_container for jellyfin (rule unhealthy-container, step 1 of 3): restart_container/jellyfin: 180 s remaining of 300 s; only an admin's force with --override-cooldown can run it. Gates: autonomy pass; classification pass; incident_cooldown pass; action_cooldown APPROVAL (restart_container/jellyfin: 180 s remaining of 300 s; only an admin's force with --override-cooldown can run it); rate_limit pass; circuit_breaker APPROVAL (restart_container/jellyfin is OPEN after 3 failures within 1h: 58m until a trial; only an admin's force with --override-breaker can run it); budget pass; approval APPROVAL (required: its cooldown has not passed (until 2026-01-01T00:03:00.000000Z; a plain approve runs it after that) and its circuit breaker is open (force with --override-cooldown --override-breaker); the request expires after 300 s).",
  "requires_approval": true,
  "safety_classification": "SAFE",
  "source": "orion-brain",
  "tags": {
    "action": "restart_container",
    "cooldown_until": "2026-01-01T00:03:00.000000Z",
    "decided_by": "approval",
    "gate.action_cooldown": "approval: restart_container/jellyfin: 180 s remaining of 300 s; only an admin's force with --override-cooldown can run it",
    "gate.approval": "approval: required: its cooldown has not passed (until 2026-01-01T00:03:00.000000Z; a plain approve runs it after that) and its circuit breaker is open (force with --override-cooldown --override-breaker); the request expires after 300 s",
    "gate.autonomy": "pass: N3 executes SAFE actions, RISKY ones after approval",
    "gate.budget": "pass: 2 of 10 automatic actions within 15m",
    "gate.circuit_breaker": "approval: restart_container/jellyfin is OPEN after 3 failures within 1h: 58m until a trial; only an admin's force with --override-breaker can run it",
    "gate.classification": "pass: restart_container is SAFE (<source>/policies/actions_safe.yaml:37)",
    "gate.incident_cooldown": "pass: no action proposed for this incident in the last 30 s",
    "gate.rate_limit": "pass: restart_container: 3 of 6 (6 per hour)",
    "gates": "autonomy=pass,classification=pass,incident_cooldown=pass,action_cooldown=approval,rate_limit=pass,circuit_breaker=approval,budget=pass,approval=approval",
    "ladder_failures": "0",
    "node": "nas",
    "policy": "<digest>",
    "requires_override": "cooldown,circuit_breaker",
    "rule": "unhealthy-container",
    "rule_step": "1/3",
    "target": "jellyfin"
  },
  "timestamp": "2026-01-01T00:00:00.000000Z",
  "version": "1.0"
})json"));
  ASSERT_TRUE(result.approval_request.has_value());
  EXPECT_EQ(withoutSourceDir(result.approval_request->toJson()), Json::parse(R"json(
{
  "action_type": "restart_container",
  "approval_request_id": "00000000-0000-4000-8000-000000000002",
  "decision_id": "00000000-0000-4000-8000-000000000001",
  "expires_at": "2026-01-01T00:05:00.000000Z",
  "incident_id": "11111111-1111-4111-8111-111111111111",
  "requested_action": {
    "action_type": "restart_container",
    "parameters": {
      "container_id": "c0ffee-jellyfin",
      "node": "nas",
      "service_name": "jellyfin"
    },
    "reasoning": "N3 mode (execute SAFE, RISKY with approval): detected service_outage (severity=high, events=1) on node nas: service jellyfin is down. Requesting an admin's approval for restart_container for jellyfin (rule unhealthy-container, step 1 of 3): restart_container/jellyfin: 180 s remaining of 300 s; only an admin's force with --override-cooldown can run it. Gates: autonomy pass; classification pass; incident_cooldown pass; action_cooldown APPROVAL (restart_container/jellyfin: 180 s remaining of 300 s; only an admin's force with --override-cooldown can run it); rate_limit pass; circuit_breaker APPROVAL (restart_container/jellyfin is OPEN after 3 failures within 1h: 58m until a trial; only an admin's force with --override-breaker can run it); budget pass; approval APPROVAL (required: its cooldown has not passed (until 2026-01-01T00:03:00.000000Z; a plain approve runs it after that) and its circuit breaker is open (force with --override-cooldown --override-breaker); the request expires after 300 s)."
  },
  "risk_level": "SAFE",
  "source": "orion-brain",
  "tags": {
    "cooldown_until": "2026-01-01T00:03:00.000000Z",
    "reason": "circuit_breaker_open",
    "requires_override": "cooldown,circuit_breaker",
    "rule": "unhealthy-container",
    "target": "jellyfin"
  },
  "timestamp": "2026-01-01T00:00:00.000000Z",
  "version": "1.0"
})json"));
}

TEST_F(ExplanationTest, N0SaysWhatItWouldHaveDone) {
  DecisionResult result = decideAt(AutonomyLevel::kN0, jellyfinDown());
  EXPECT_EQ(documentOf(result.decision), Json::parse(R"json(
{
  "autonomy_level": "N0",
  "decision_id": "00000000-0000-4000-8000-000000000001",
  "decision_type": "NO_ACTION",
  "incident_id": "11111111-1111-4111-8111-111111111111",
  "reasoning": "N0 mode (observe only): detected service_outage (severity=high, events=1) on node nas: service jellyfin is down. No action taken: restart_container for jellyfin (rule unhealthy-container, step 1 of 3) would be proposed, but autonomy level N0 only observes. Gates: autonomy BLOCK (N0 only observes); classification pass; incident_cooldown pass; action_cooldown pass; rate_limit pass; circuit_breaker pass; budget skip; approval skip.",
  "requires_approval": false,
  "safety_classification": "SAFE",
  "source": "orion-brain",
  "tags": {
    "action": "restart_container",
    "decided_by": "autonomy",
    "gate.action_cooldown": "pass: restart_container/jellyfin: never ran (cooldown 300 s)",
    "gate.approval": "skip: not required",
    "gate.autonomy": "block: N0 only observes",
    "gate.budget": "skip: counts automatic actions only",
    "gate.circuit_breaker": "pass: restart_container/jellyfin closed (0 failures); restart_container closed (0 failures)",
    "gate.classification": "pass: restart_container is SAFE (<source>/policies/actions_safe.yaml:37)",
    "gate.incident_cooldown": "pass: no action proposed for this incident in the last 30 s",
    "gate.rate_limit": "pass: restart_container: 0 of 6 (6 per hour)",
    "gates": "autonomy=block,classification=pass,incident_cooldown=pass,action_cooldown=pass,rate_limit=pass,circuit_breaker=pass,budget=skip,approval=skip",
    "ladder_failures": "0",
    "node": "nas",
    "policy": "<digest>",
    "rule": "unhealthy-container",
    "rule_step": "1/3",
    "target": "jellyfin"
  },
  "timestamp": "2026-01-01T00:00:00.000000Z",
  "version": "1.0"
})json"));
}

TEST_F(ExplanationTest, ASkippedRuleIsNamedWithWhatItMissed) {
  // A container outage without a container id: the container rule does not match, the host
  // service rule cannot fill service_name, and acknowledging it is what is left.
  auto incident = testing::makeIncident(
      {.type = "service_outage", .severity = contracts::IncidentSeverity::kHigh, .node = "nas"},
      clock_.now(), kIncidentId);
  incident.event_ids = {"22222222-2222-4222-8222-222222222222"};
  DecisionResult result = decideAt(AutonomyLevel::kN2, incident);
  EXPECT_EQ(documentOf(result.decision), Json::parse(R"json(
{
  "autonomy_level": "N2",
  "decision_id": "00000000-0000-4000-8000-000000000001",
  "decision_type": "EXECUTE_SAFE_ACTION",
  "incident_id": "11111111-1111-4111-8111-111111111111",
  "proposed_action": {
    "action_type": "acknowledge_incident",
    "parameters": {
      "incident_id": "11111111-1111-4111-8111-111111111111"
    }
  },
  "reasoning": "N2 mode (execute SAFE): detected service_outage (severity=high, events=1) on node nas: disk_used_percent of / is 93.1% (warning threshold 90%). Executing SAFE action acknowledge_incident for nas (rule acknowledge, step 1 of 1): every gate passed. Gates: autonomy pass; classification pass; incident_cooldown pass; action_cooldown pass; rate_limit pass; circuit_breaker skip; budget pass; approval skip.",
  "requires_approval": false,
  "safety_classification": "SAFE",
  "source": "orion-brain",
  "tags": {
    "action": "acknowledge_incident",
    "decided_by": "all_gates_passed",
    "gate.action_cooldown": "pass: acknowledge_incident/11111111-1111-4111-8111-111111111111: no cooldown",
    "gate.approval": "skip: not required",
    "gate.autonomy": "pass: N2 executes SAFE actions",
    "gate.budget": "pass: 0 of 10 automatic actions within 15m",
    "gate.circuit_breaker": "skip: acknowledge_incident is not in circuit_breaker.applies_to",
    "gate.classification": "pass: acknowledge_incident is SAFE (<source>/policies/actions_safe.yaml:13)",
    "gate.incident_cooldown": "pass: no action proposed for this incident in the last 30 s",
    "gate.rate_limit": "pass: acknowledge_incident: unlimited",
    "gates": "autonomy=pass,classification=pass,incident_cooldown=pass,action_cooldown=pass,rate_limit=pass,circuit_breaker=skip,budget=pass,approval=skip",
    "ladder_failures": "0",
    "node": "nas",
    "policy": "<digest>",
    "rule": "acknowledge",
    "rule_step": "1/1",
    "skipped_rules": "host-service-down: parameter 'service_name': the incident has no 'service_name'",
    "target": "nas"
  },
  "timestamp": "2026-01-01T00:00:00.000000Z",
  "version": "1.0"
})json"));
}

TEST(ExplanationText, DurationsReadAsTheDocumentationSays) {
  EXPECT_EQ(humanDuration(Duration::zero()), "0 s");
  EXPECT_EQ(humanDuration(std::chrono::milliseconds(300)), "1 s");  // a wait is never "0 s"
  EXPECT_EQ(humanDuration(212s), "212 s");
  EXPECT_EQ(humanDuration(599s), "599 s");
  EXPECT_EQ(humanDuration(600s), "10m");
  EXPECT_EQ(humanDuration(3900s), "1h5m");
  EXPECT_EQ(humanDuration(std::chrono::hours(48)), "2d");
  std::string text;
  appendText(text, "restart_container", ": ", size_t{3}, " of ", int64_t{6}, ' ',
             HumanDuration{90s}, " (", std::string("6 per hour"), ")");
  EXPECT_EQ(text, "restart_container: 3 of 6 90 s (6 per hour)");
}

TEST(ExplanationText, ViewLookupsFindWhatTheScopeFunctionsSpell) {
  auto loaded = policy::Policy::load(ORION_SOURCE_DIR "/policies");
  ASSERT_TRUE(loaded.isOk());
  const policy::Policy& policy = **loaded;
  SimulatedClock clock;
  SafetyState state;
  std::string action = "restart_container";
  std::string service = "a-service-name-long-enough-to-need-the-heap-in-a-key";
  state.recordDecision(DecisionRecord{"d1", "i1", "rule", service, action, 0,
                                      contracts::DecisionType::kExecuteSafeAction, clock.now()});
  state.startAction(InFlight{"33333333-3333-4333-8333-000000000001", "d1", action,
                             cooldownKeyOf(action, service), service, true, clock.now()},
                    policy);
  state.finishAction("33333333-3333-4333-8333-000000000001", OutcomeStatus::kFailed, true,
                     clock.now(), policy);
  EXPECT_EQ(targetScope(action, service), "target/" + action + "/" + service);
  EXPECT_EQ(typeScope(action), "type/" + action);
  EXPECT_EQ(cooldownKeyOf(action, service), action + "/" + service);
  EXPECT_EQ(ladderKey("rule", service), "rule/" + service);
  ASSERT_NE(state.breaker(targetScope(action, service)), nullptr);
  EXPECT_EQ(state.targetBreaker(action, service), state.breaker(targetScope(action, service)));
  EXPECT_EQ(state.typeBreaker(action), state.breaker(typeScope(action)));
  EXPECT_EQ(state.targetBreaker(action, "another"), nullptr);
  EXPECT_EQ(state.lastExecution(cooldownKeyOf(action, service)), clock.now());
  EXPECT_EQ(state.executionsSince(action, clock.now() - 1s), 1u);
  EXPECT_EQ(state.ladderFailures("rule", service, clock.now(), 1h), 1);
  EXPECT_EQ(state.ladderFailures("rule", "another", clock.now(), 1h), 0);
}

}  // namespace
}  // namespace orion::brain
