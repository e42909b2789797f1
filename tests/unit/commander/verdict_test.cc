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

class VerdictTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = policy::Policy::load(ORION_SOURCE_DIR "/policies");
    ASSERT_TRUE(loaded.isOk()) << loaded.status().toString();
    policy_ = *loaded;
    ASSERT_TRUE(registerBuiltinExecutors(executors_, BuiltinOptions{}, clock_).isOk());
  }

  Verdict judge(const contracts::Decision& d) { return judgeDecision(d, *policy_, executors_); }

  SimulatedClock clock_;
  policy::PolicyPtr policy_;
  ExecutorRegistry executors_;
};

TEST_F(VerdictTest, EveryDecisionTypeAndShapeHasOneVerdict) {
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
       VerdictKind::kExecute, "safe"},
      {decision(DecisionType::kExecuteSafeAction, SafetyClass::kSafe, "restart_container"),
       VerdictKind::kExecute, "safe"},
      {decision(DecisionType::kExecuteSafeAction), VerdictKind::kRefuse, "no_proposed_action"},
      {decision(DecisionType::kExecuteSafeAction, SafetyClass::kRisky, "restart_service"),
       VerdictKind::kRefuse, "not_safe"},
      {decision(DecisionType::kExecuteSafeAction, SafetyClass::kSafe, "restart_service"),
       VerdictKind::kRefuse, "not_safe_now"},
      {decision(DecisionType::kExecuteSafeAction, SafetyClass::kUnknown, "mystery"),
       VerdictKind::kRefuse, "no_executor"},
      {decision(DecisionType::kRequestApproval, SafetyClass::kRisky, "restart_service"),
       VerdictKind::kAwaitApproval, "awaiting_approval"},
      {decision(DecisionType::kRequestApproval, SafetyClass::kRisky), VerdictKind::kRefuse,
       "no_proposed_action"},
  };
  for (const Case& c : cases) {
    Verdict verdict = judge(c.decision);
    std::string what = std::string(contracts::toString(c.decision.decision_type)) + " " +
                       std::string(contracts::toString(c.decision.safety_classification));
    EXPECT_EQ(verdict.kind, c.kind) << what;
    EXPECT_EQ(verdict.reason, c.reason) << what;
    EXPECT_FALSE(verdict.detail.empty()) << what;
  }
}

TEST_F(VerdictTest, AFailClosedPolicyMakesNothingSafe) {
  auto closed = policy::Policy::failClosed("broken");
  Verdict verdict = judgeDecision(
      decision(DecisionType::kExecuteSafeAction, SafetyClass::kSafe, "acknowledge_incident"),
      *closed, executors_);
  EXPECT_EQ(verdict.kind, VerdictKind::kRefuse);
  EXPECT_EQ(verdict.reason, "not_safe_now");
}

TEST_F(VerdictTest, ApprovedActionsAreNeverUnknown) {
  Verdict verdict =
      judge(decision(DecisionType::kRequestApproval, SafetyClass::kUnknown, "scale_service"));
  EXPECT_EQ(verdict.kind, VerdictKind::kAwaitApproval);
  EXPECT_EQ(verdict.classification, SafetyClass::kRisky);
  EXPECT_EQ(toString(verdict.kind), "await_approval");
}

}  // namespace
}  // namespace orion::commander
