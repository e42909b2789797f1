#include "commander/verdict.h"

#include <fmt/format.h>

namespace orion::commander {

std::string_view toString(VerdictKind kind) {
  switch (kind) {
    case VerdictKind::kIgnore:
      return "ignore";
    case VerdictKind::kRefuse:
      return "refuse";
    case VerdictKind::kExecute:
      return "execute";
    case VerdictKind::kAwaitApproval:
      return "await_approval";
  }
  return "unknown";
}

Verdict judgeDecision(const contracts::Decision& decision, const policy::Policy& policy,
                      const ExecutorRegistry& executors) {
  using contracts::DecisionType;
  using contracts::SafetyClass;
  switch (decision.decision_type) {
    case DecisionType::kNoAction:
      return {VerdictKind::kIgnore, "no_action", "NO_ACTION: nothing to execute"};
    case DecisionType::kSuggestAction:
      return {VerdictKind::kIgnore, "suggestion_only",
              "SUGGEST_ACTION: a suggestion is for a human to carry out"};
    case DecisionType::kExecuteSafeAction:
    case DecisionType::kRequestApproval:
      break;
  }
  std::string_view type = contracts::toString(decision.decision_type);
  if (!decision.proposed_action) {
    return {VerdictKind::kRefuse, "no_proposed_action",
            fmt::format("{} without a proposed_action: refusing to execute", type)};
  }
  const std::string& action = decision.proposed_action->action_type;
  const Executor* executor = executors.find(action);
  if (executor == nullptr) {
    return {VerdictKind::kRefuse, "no_executor",
            fmt::format("{} of {}: no executor exists for this action, nothing is executed", type,
                        action)};
  }
  SafetyClass now = policy.classify(action, executor->metadata().risk);
  if (decision.decision_type == DecisionType::kRequestApproval) {
    return {VerdictKind::kAwaitApproval, "awaiting_approval",
            fmt::format("{} of {}: waits for the admin's signed approval", type, action),
            now == SafetyClass::kSafe ? SafetyClass::kSafe : SafetyClass::kRisky};
  }
  if (decision.safety_classification != SafetyClass::kSafe) {
    return {VerdictKind::kRefuse, "not_safe",
            fmt::format("{} of {} classified {}, which is not SAFE: refusing to execute", type,
                        action, contracts::toString(decision.safety_classification))};
  }
  if (now != SafetyClass::kSafe) {
    return {VerdictKind::kRefuse, "not_safe_now",
            fmt::format("{} of {}: the policy in force classifies it {} (executor declares {}), "
                        "not SAFE: refusing to execute",
                        type, action, contracts::toString(now),
                        policy::toString(executor->metadata().risk))};
  }
  return {VerdictKind::kExecute, "safe", fmt::format("{} of {}: SAFE, executing", type, action),
          SafetyClass::kSafe};
}

}  // namespace orion::commander
