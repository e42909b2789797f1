// The decider's invariants over every incident type, severity and autonomy level, with the shipped
// policy and with a policy that failed to load (reference §8.5, §8.6, §8.14 invariants 1, 2, 6,
// 7): every decision validates against the contract, N0 proposes nothing, nothing RISKY or
// UNKNOWN is executed, and the explanation lists every gate in order.
#include "brain/decider.h"

#include <gtest/gtest.h>

#include <array>
#include <filesystem>
#include <fstream>

#include "brain/explain.h"
#include "contracts/registry.h"
#include "test_incidents.h"
#include "testing/temp_dir.h"

namespace orion::brain {
namespace {

using contracts::AutonomyLevel;
using contracts::DecisionType;
using contracts::IncidentSeverity;
using contracts::SafetyClass;
using testing::makeIncident;

constexpr std::array<std::string_view, 5> kTypes{"service_outage", "edge_device_failure",
                                                 "metric_anomaly", "repeated_failures",
                                                 "correlation_detected"};
constexpr std::array<IncidentSeverity, 4> kSeverities{
    IncidentSeverity::kLow, IncidentSeverity::kMedium, IncidentSeverity::kHigh,
    IncidentSeverity::kCritical};
constexpr std::array<AutonomyLevel, 4> kLevels{AutonomyLevel::kN0, AutonomyLevel::kN1,
                                               AutonomyLevel::kN2, AutonomyLevel::kN3};

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

// Tag sets an incident may carry: none, a container, a disk, an edge device.
std::vector<contracts::Tags> tagSets() {
  return {{},
          {{"service_name", "jellyfin"}, {"container_id", "c1"}, {"target", "jellyfin"}},
          {{"metric", "disk_used_percent"}, {"resource", "/"}, {"target", "/"}},
          {{"device_id", "hexapod-1"}, {"target", "hexapod-1"}}};
}

class DeciderMatrixTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto registry = contracts::ContractRegistry::loadEmbedded();
    ASSERT_TRUE(registry.isOk()) << registry.status().toString();
    registry_ = *registry;
    auto shipped = policy::Policy::load(ORION_SOURCE_DIR "/policies");
    ASSERT_TRUE(shipped.isOk()) << shipped.status().message();
    policy_ = *shipped;
  }

  // Runs `check` for every combination, with the decision validated against the contract.
  template <typename Check>
  void forEveryDecision(const policy::Policy& policy, Check check) {
    SimulatedClock clock;
    SafetyState state;
    int checked = 0;
    for (AutonomyLevel level : kLevels) {
      for (std::string_view type : kTypes) {
        for (IncidentSeverity severity : kSeverities) {
          for (const contracts::Tags& tags : tagSets()) {
            auto incident = makeIncident(
                {.type = std::string(type), .severity = severity, .events = 2, .tags = tags},
                clock.now());
            DecisionResult result = decide(
                DecideInput{incident, policy, state, level, clock.now(), newUuid(), newUuid()});
            const contracts::Decision& d = result.decision;
            std::string what = std::string(contracts::toString(level)) + " " + std::string(type) +
                               " " + std::string(contracts::toString(severity)) + ": " +
                               d.reasoning;
            EXPECT_TRUE(registry_->validate("decision", d.toJson()).isOk()) << what;
            if (result.approval_request) {
              EXPECT_TRUE(
                  registry_->validate("approval_request", result.approval_request->toJson()).isOk())
                  << what;
            }
            EXPECT_EQ(d.incident_id, incident.incident_id) << what;
            EXPECT_EQ(d.autonomy_level, level) << what;
            EXPECT_GE(d.reasoning.size(), 10u) << what;
            check(level, d, result, what);
            ++checked;
          }
        }
      }
    }
    EXPECT_EQ(checked, 4 * 5 * 4 * 4);
  }

  std::shared_ptr<const contracts::ContractRegistry> registry_;
  policy::PolicyPtr policy_;
};

TEST_F(DeciderMatrixTest, N0NeverProposesAndNothingUnsafeIsExecuted) {
  std::set<DecisionType> seen;
  forEveryDecision(*policy_, [&](AutonomyLevel level, const contracts::Decision& d,
                                 const DecisionResult& result, const std::string& what) {
    seen.insert(d.decision_type);
    if (level == AutonomyLevel::kN0) {
      EXPECT_EQ(d.decision_type, DecisionType::kNoAction) << what;
      EXPECT_EQ(d.safety_classification, SafetyClass::kSafe) << what;
      EXPECT_FALSE(d.requires_approval) << what;
      EXPECT_FALSE(d.proposed_action.has_value()) << what;
      EXPECT_TRUE(contains(d.reasoning, "N0")) << what;
      EXPECT_TRUE(contains(d.reasoning, "observe only")) << what;
    }
    if (d.decision_type == DecisionType::kExecuteSafeAction) {
      EXPECT_EQ(d.safety_classification, SafetyClass::kSafe) << what;
      EXPECT_EQ(policy_->classify(d.proposed_action->action_type), SafetyClass::kSafe) << what;
      EXPECT_GE(level, AutonomyLevel::kN2) << what;
      EXPECT_FALSE(d.requires_approval) << what;
    }
    if (d.decision_type == DecisionType::kRequestApproval) {
      EXPECT_TRUE(d.requires_approval) << what;
      EXPECT_TRUE(result.approval_request.has_value()) << what;
      EXPECT_NE(d.safety_classification, SafetyClass::kUnknown) << what;
    } else {
      EXPECT_FALSE(result.approval_request.has_value()) << what;
    }
    if (level == AutonomyLevel::kN1) {
      EXPECT_TRUE(d.decision_type == DecisionType::kNoAction ||
                  d.decision_type == DecisionType::kSuggestAction)
          << what;
    }
    if (d.decision_type == DecisionType::kNoAction) {
      EXPECT_FALSE(d.proposed_action.has_value()) << what;
    } else {
      EXPECT_TRUE(d.proposed_action.has_value()) << what;
    }
  });
  // The shipped policy exercises every decision type somewhere in the matrix.
  EXPECT_EQ(seen.size(), 4u);
}

TEST_F(DeciderMatrixTest, EveryProposalListsEveryGateInOrder) {
  forEveryDecision(*policy_, [&](AutonomyLevel, const contracts::Decision& d, const DecisionResult&,
                                 const std::string& what) {
    if (!d.tags.contains("gates")) {  // no rule proposed anything
      EXPECT_TRUE(d.tags.contains("decided_by")) << what;
      return;
    }
    // Every gate has its tag ("<verdict>: <detail>"), and "gates" lists their verdicts in order.
    std::string summary;
    for (std::string_view name : kGateOrder) {
      std::string key = "gate." + std::string(name);
      ASSERT_TRUE(d.tags.contains(key)) << what << ": " << key;
      const std::string& value = d.tags.at(key);
      size_t colon = value.find(": ");
      ASSERT_NE(colon, std::string::npos) << what << ": " << key << " = " << value;
      if (!summary.empty()) summary += ',';
      summary += std::string(name) + "=" + value.substr(0, colon);
    }
    EXPECT_EQ(d.tags.at("gates"), summary) << what;
    EXPECT_TRUE(contains(d.reasoning, " Gates: autonomy ")) << what;
    EXPECT_EQ(d.tags.at("policy"), policy_->digest()) << what;
  });
}

TEST_F(DeciderMatrixTest, AFailedPolicyMakesEveryDecisionNoAction) {
  auto failed = policy::Policy::failClosed("policies/rules.yaml:3: rules: expected a list");
  forEveryDecision(*failed, [&](AutonomyLevel, const contracts::Decision& d,
                                const DecisionResult& result, const std::string& what) {
    EXPECT_EQ(d.decision_type, DecisionType::kNoAction) << what;
    EXPECT_EQ(d.safety_classification, SafetyClass::kSafe) << what;
    EXPECT_EQ(result.decided_by, "policy_invalid") << what;
    EXPECT_TRUE(contains(d.reasoning, "rules.yaml:3")) << what;
  });
}

TEST(Decider, IsAPureFunctionOfItsInputs) {
  auto policy = policy::Policy::load(ORION_SOURCE_DIR "/policies");
  ASSERT_TRUE(policy.isOk());
  SimulatedClock clock;
  SafetyState state;
  auto incident = testing::containerOutage(clock.now());
  DecideInput input{incident,
                    **policy,
                    state,
                    AutonomyLevel::kN3,
                    clock.now(),
                    "00000000-0000-4000-8000-000000000001",
                    "00000000-0000-4000-8000-000000000002"};
  DecisionResult a = decide(input);
  DecisionResult b = decide(input);
  EXPECT_EQ(a.decision.toJson(), b.decision.toJson());
  EXPECT_EQ(a.record, b.record);
}

TEST(Decider, AnUnlistedExecActionIsRiskyAndSaysWhereItIsDeclared) {
  // The shipped policies with one more rule, proposing the exec action show_service_log, which
  // neither actions file lists: RISKY, explained with its declaration (a brain that looked up
  // the listing of every RISKY action once read past a missing entry here).
  testing::TempDir dir;
  std::filesystem::copy(ORION_SOURCE_DIR "/policies", dir.path() / "policies");
  std::filesystem::path rules = dir.path() / "policies" / "rules.yaml";
  std::string text = testing::readFile(rules);
  // First in the file, so it is the rule that matches (the first match decides).
  text.replace(text.find("rules:\n"), 7, R"(rules:
  - name: unit-log
    match:
      incident_types: [service_outage]
      tags:
        unit: "*"
    steps:
      - action: show_service_log
        parameters:
          unit: "{unit}"
)");
  std::ofstream(rules, std::ios::trunc) << text;
  auto policy = policy::Policy::load(dir.path() / "policies");
  ASSERT_TRUE(policy.isOk()) << policy.status().message();
  SimulatedClock clock;
  SafetyState state;
  auto incident = makeIncident(
      {.type = "service_outage", .tags = {{"unit", "nginx.service"}, {"target", "nginx"}}},
      clock.now());
  DecisionResult result = decide(DecideInput{incident, **policy, state, AutonomyLevel::kN3,
                                             clock.now(), newUuid(), newUuid()});
  EXPECT_EQ(result.decision.decision_type, DecisionType::kRequestApproval)
      << result.decision.reasoning;
  EXPECT_EQ(result.decision.safety_classification, SafetyClass::kRisky);
  EXPECT_TRUE(contains(result.decision.reasoning,
                       "show_service_log is RISKY (" + (dir.path() / "policies").string() +
                           "/exec_actions.yaml:15: an exec action listed in neither"))
      << result.decision.reasoning;
}

TEST(Decider, RevisionIgnoresEventCountButNotSeverityOrState) {
  SimulatedClock clock;
  auto incident = makeIncident({}, clock.now());
  std::string before = revisionOf(incident);
  incident.event_ids.push_back(newUuid());
  EXPECT_EQ(revisionOf(incident), before);
  incident.severity = IncidentSeverity::kCritical;
  EXPECT_NE(revisionOf(incident), before);
  EXPECT_TRUE(needsDecision(incident));
  incident.state = contracts::IncidentState::kResolved;
  EXPECT_FALSE(needsDecision(incident));
  incident.state = contracts::IncidentState::kAcknowledged;
  EXPECT_FALSE(needsDecision(incident));
}

}  // namespace
}  // namespace orion::brain
