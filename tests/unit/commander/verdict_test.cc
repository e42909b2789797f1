#include "commander/verdict.h"

#include <gtest/gtest.h>

#include "common/ids.h"

namespace orion::commander {
namespace {

using contracts::DecisionType;
using contracts::SafetyClass;

contracts::Decision decision(DecisionType type, SafetyClass safety = SafetyClass::kSafe,
                             std::optional<std::string> action = std::nullopt) {
  contracts::Decision d;
  d.decision_id = newUuid();
  d.incident_id = newUuid();
  d.decision_type = type;
  d.safety_classification = safety;
  d.reasoning = "a test decision";
  if (action) d.proposed_action = contracts::ProposedAction{*action, Json::object()};
  return d;
}

TEST(VerdictTest, EveryDecisionTypeAndShapeHasOneVerdict) {
  struct Case {
    contracts::Decision decision;
    VerdictKind kind;
    std::string reason;
  };
  const std::vector<Case> cases{
      {decision(DecisionType::kNoAction), VerdictKind::kIgnore, "no_action"},
      {decision(DecisionType::kSuggestAction, SafetyClass::kSafe, "restart_service"),
       VerdictKind::kIgnore, "suggestion_only"},
      {decision(DecisionType::kExecuteSafeAction, SafetyClass::kSafe, "acknowledge_incident"),
       VerdictKind::kRefuse, "no_executor"},
      {decision(DecisionType::kExecuteSafeAction), VerdictKind::kRefuse, "no_proposed_action"},
      {decision(DecisionType::kExecuteSafeAction, SafetyClass::kRisky, "restart_service"),
       VerdictKind::kRefuse, "not_safe"},
      {decision(DecisionType::kExecuteSafeAction, SafetyClass::kUnknown, "mystery"),
       VerdictKind::kRefuse, "not_safe"},
      {decision(DecisionType::kRequestApproval, SafetyClass::kRisky, "restart_service"),
       VerdictKind::kRefuse, "no_executor"},
      {decision(DecisionType::kRequestApproval, SafetyClass::kRisky), VerdictKind::kRefuse,
       "no_proposed_action"},
  };
  for (const Case& c : cases) {
    Verdict verdict = judgeDecision(c.decision);
    std::string what = std::string(contracts::toString(c.decision.decision_type)) + " " +
                       std::string(contracts::toString(c.decision.safety_classification));
    EXPECT_EQ(verdict.kind, c.kind) << what;
    EXPECT_EQ(verdict.reason, c.reason) << what;
    EXPECT_FALSE(verdict.detail.empty()) << what;
  }
}

TEST(VerdictTest, NothingIsEverExecutedInThisBuild) {
  for (auto type : {DecisionType::kNoAction, DecisionType::kSuggestAction,
                    DecisionType::kExecuteSafeAction, DecisionType::kRequestApproval}) {
    for (auto safety : {SafetyClass::kSafe, SafetyClass::kRisky, SafetyClass::kUnknown}) {
      for (std::optional<std::string> action :
           {std::optional<std::string>{}, std::optional<std::string>{"acknowledge_incident"}}) {
        Verdict verdict = judgeDecision(decision(type, safety, action));
        EXPECT_TRUE(verdict.kind == VerdictKind::kIgnore || verdict.kind == VerdictKind::kRefuse);
      }
    }
  }
}

TEST(VerdictTest, RefusalDetailNamesTheAction) {
  Verdict verdict = judgeDecision(
      decision(DecisionType::kExecuteSafeAction, SafetyClass::kSafe, "acknowledge_incident"));
  EXPECT_NE(verdict.detail.find("acknowledge_incident"), std::string::npos);
  EXPECT_EQ(toString(verdict.kind), "refuse");
}

}  // namespace
}  // namespace orion::commander
