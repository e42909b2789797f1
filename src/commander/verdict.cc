#include "commander/verdict.h"

#include <fmt/format.h>

namespace orion::commander {

std::string_view toString(VerdictKind kind) {
  switch (kind) {
    case VerdictKind::kIgnore:
      return "ignore";
    case VerdictKind::kRefuse:
      return "refuse";
  }
  return "unknown";
}

Verdict judgeDecision(const contracts::Decision& decision) {
  using contracts::DecisionType;
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
  if (decision.decision_type == DecisionType::kExecuteSafeAction &&
      decision.safety_classification != contracts::SafetyClass::kSafe) {
    return {VerdictKind::kRefuse, "not_safe",
            fmt::format("{} of {} classified {}, which is not SAFE: refusing to execute", type,
                        action, contracts::toString(decision.safety_classification))};
  }
  return {VerdictKind::kRefuse, "no_executor",
          fmt::format("{} of {}: no executor is available in this build, nothing is executed", type,
                      action)};
}

}  // namespace orion::commander
