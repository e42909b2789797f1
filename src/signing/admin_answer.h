// The admin's answer to one approval request, built the same way whichever channel it comes
// through (the CLI over the control socket, the HTTP API's admin endpoints): from what
// `approvals.show` returned for the request and what the admin decided, the AnswerSpec that
// makeSignedAnswer() (approval_signature.h) signs. One function, so both channels produce exactly
// the same signed approval_decision for the same answer.
//
// Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/json.h"
#include "common/status.h"
#include "contracts/documents.h"
#include "signing/approval_signature.h"

namespace orion::signing {

// What the admin decided.
struct AdminVerdict {
  contracts::ApprovalVerdict verdict = contracts::ApprovalVerdict::kDeny;
  std::string reason;
  // Who answers, as the coordinator will check it (approval/answers.h, rule 8): "cli:<login>" for
  // the CLI, httpAdminIdentity() for the HTTP API.
  std::string admin_identity;
  bool override_cooldown = false;         // force only
  bool override_circuit_breaker = false;  // force only
};

inline constexpr size_t kMinForceReason = 10;

// The reason rule every channel and the coordinator apply (approval/answers.h, rule 6): a
// reason that is not blank; for force at least kMinForceReason characters, surrounding
// whitespace not counted. kInvalidArgument saying which.
Status checkReason(contracts::ApprovalVerdict verdict, std::string_view reason);

// The spec answering `shown`, the result of `approvals.show` (approval_request_id, decision_id,
// action_hash, action_type, answer_validity_seconds). kInvalidArgument naming the field when one
// of the ids or the hash is missing or not a string (a daemon of another version).
Result<AnswerSpec> answerSpecFor(const Json& shown, AdminVerdict verdict);

// The admin identity of an answer that came through the HTTP API's admin token from
// `remote_address` (the client's IP): "api:admin@192.0.2.7".
std::string httpAdminIdentity(std::string_view remote_address);

}  // namespace orion::signing
