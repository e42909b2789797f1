// What the commander does with one decision: the commander's logic, without the bus. Pure: the
// same decision always gets the same verdict. Called on the commander's decision thread.
//
// This build has no executors (issue 6 adds them, with approvals), so it fails closed: nothing is
// ever executed. NO_ACTION and SUGGEST_ACTION are ignored (there is nothing for the commander to
// do; a suggestion is for a human). EXECUTE_SAFE_ACTION and REQUEST_APPROVAL are refused, with the
// most specific reason that applies, in this order:
//   "no_proposed_action"  the decision asks for execution but names no action;
//   "not_safe"            EXECUTE_SAFE_ACTION whose safety_classification is not SAFE;
//   "no_executor"         no executor for the action exists in this build.
// Issue 6 grows this function (re-check SAFE under the current policy, await a matching approval,
// pick an executor); the reasons are metric labels, so they stay stable.
#pragma once

#include <string>
#include <string_view>

#include "contracts/documents.h"

namespace orion::commander {

enum class VerdictKind {
  kIgnore,  // nothing to do, by design
  kRefuse,  // execution was asked for and is not allowed or not possible: never executed
};
std::string_view toString(VerdictKind kind);

struct Verdict {
  VerdictKind kind = VerdictKind::kIgnore;
  std::string reason;  // a stable code (metric label), e.g. "no_executor"
  std::string detail;  // one human sentence for the log
};

[[nodiscard]] Verdict judgeDecision(const contracts::Decision& decision);

}  // namespace orion::commander
