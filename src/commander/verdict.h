// What the commander does with one decision: the commander's judgement, without the bus. Pure:
// the same decision, policy snapshot and executors always give the same verdict. Called on the
// commander's decision thread.
//
// NO_ACTION and SUGGEST_ACTION are ignored (a suggestion is for a human). Otherwise, the first
// reason that applies refuses the decision, in this order (the reasons are metric labels):
//   "no_proposed_action"   the decision asks for execution but names no action;
//   "no_executor"          no executor exists for the action;
//   "not_safe"             EXECUTE_SAFE_ACTION whose safety_classification is not SAFE;
//   "not_safe_now"         EXECUTE_SAFE_ACTION of an action the current policy, made stricter by
//                          the executor's declared risk, does not classify SAFE (policy.h).
// What is left is executed at once (EXECUTE_SAFE_ACTION, kExecute) or waits durably for a signed
// approval that matches it (REQUEST_APPROVAL, kAwaitApproval).
#pragma once

#include <string>
#include <string_view>

#include "commander/executor.h"
#include "contracts/documents.h"
#include "policy/policy.h"

namespace orion::commander {

enum class VerdictKind {
  kIgnore,         // nothing to do, by design
  kRefuse,         // execution was asked for and is not allowed or not possible: never executed
  kExecute,        // a SAFE action: run it now
  kAwaitApproval,  // a RISKY action: wait for the admin's signed approval
};
std::string_view toString(VerdictKind kind);

struct Verdict {
  VerdictKind kind = VerdictKind::kIgnore;
  std::string reason;  // a stable code (metric label), e.g. "no_executor"
  std::string detail;  // one human sentence for the log
  // kExecute / kAwaitApproval: the class the action document carries (never UNKNOWN: an UNKNOWN
  // action that an admin approves is RISKY).
  contracts::SafetyClass classification = contracts::SafetyClass::kRisky;
};

[[nodiscard]] Verdict judgeDecision(const contracts::Decision& decision,
                                    const policy::Policy& policy,
                                    const ExecutorRegistry& executors);

}  // namespace orion::commander
