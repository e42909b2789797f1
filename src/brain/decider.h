// The decider: what the brain decides about one incident, without the bus. Pure: the same
// incident, policy snapshot, safety state, autonomy level, clock reading and ids always give the
// same decision. Called on the brain's core thread; holds nothing.
//
//   1. selectCandidate(): the first matching rule's current ladder step (candidate.h).
//   2. evaluateGates(): every gate, in the documented order (gates.h).
//   3. The decision follows from the verdicts:
//        no valid policy, or no rule      NO_ACTION (SAFE)
//        N0                               NO_ACTION (SAFE), no proposed_action
//        any gate blocks                  NO_ACTION, classification of the blocked action
//        any gate asks for approval       REQUEST_APPROVAL (+ an approval_request), RISKY or,
//                                         when only the budget asks, SAFE
//        any gate only suggests           SUGGEST_ACTION (a human executes)
//        otherwise                        EXECUTE_SAFE_ACTION (SAFE)
//      A RISKY or UNKNOWN action never becomes EXECUTE_SAFE_ACTION; N0 never proposes anything.
//   4. The explanation: readable `reasoning`, and the gates with their verdicts and numbers in
//      `tags` (wire-compatible with v1.0; key names in docs/decisions.md and explain.h).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "brain/gates.h"
#include "brain/safety_state.h"
#include "contracts/documents.h"
#include "policy/policy.h"

namespace orion::brain {

// Everything decide() reads, lent for the call: the ids are views like the rest.
struct DecideInput {
  const contracts::Incident& incident;
  const policy::Policy& policy;
  const SafetyState& state;
  contracts::AutonomyLevel level;
  WallTime now;
  std::string_view decision_id;
  std::string_view approval_request_id;  // used only for REQUEST_APPROVAL
};

struct DecisionResult {
  contracts::Decision decision;
  std::optional<contracts::ApprovalRequest> approval_request;
  DecisionRecord record;
  // A time-limited gate blocked: when every blocking gate would have lifted.
  std::optional<WallTime> retry_at;
  // The gate that settled the decision ("action_cooldown", "approval", ...), or "no_rule",
  // "policy_invalid", "all_gates_passed" (static text).
  std::string_view decided_by;
  // Each gate's verdict and detail are in decision.tags: "gate.<name>" = "<verdict>: <detail>",
  // and "gates" lists every verdict in order.
};

[[nodiscard]] DecisionResult decide(const DecideInput& input);

// Only open incidents get decisions; resolved and acknowledged ones need none.
bool needsDecision(const contracts::Incident& incident);

// One revision of an incident: its id, state and severity. A redelivery, or an update that only
// adds events, is the same revision and gets no new decision; a severity or state change does.
std::string revisionOf(const contracts::Incident& incident);

}  // namespace orion::brain
