// Signed approval decisions. An approval_decision carries its signature in two tags (the v1.0
// contract forbids new fields; `tags` is its string map):
//   tags.action_hash  "sha256:<hex>" of the action it allows: actionHash(action_type, parameters)
//   tags.signature    "hmac-sha256:<hex>" under the admin key of approvalPayload()
// The payload binds every field that matters: the answer's id, the request and decision it
// answers, the action hash, approve/deny/force, who, why, when it was issued and when it expires,
// the override flags and the action id. Changing any of them (or replaying the signature on
// another document) breaks the signature.
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/json.h"
#include "common/status.h"
#include "contracts/documents.h"
#include "signing/admin_key.h"

namespace orion::signing {

inline constexpr std::string_view kSignatureTag = "signature";
inline constexpr std::string_view kActionHashTag = "action_hash";

// "sha256:<hex>" of the action type and its parameters (JSON with sorted keys, compact), so the
// same action always has the same hash and any other action a different one.
std::string actionHash(std::string_view action_type, const Json& parameters);

// The bytes that are signed (a versioned line-per-field text; strings JSON-quoted).
std::string approvalPayload(const contracts::ApprovalDecision& decision);

// Sets tags.action_hash and tags.signature. Rounds issued_at, expires_at and timestamp to what
// their RFC 3339 text holds first, so the signature survives the trip through JSON.
void signApproval(contracts::ApprovalDecision& decision, std::string action_hash,
                  const AdminKey& key);

// What the admin answers to one request (the CLI fills it from `approvals.show`).
struct AnswerSpec {
  std::string approval_request_id;
  std::string decision_id;
  std::string action_hash;  // as the request shows it
  std::string action_type;  // for tags.action_type (readability; not signed)
  contracts::ApprovalVerdict verdict = contracts::ApprovalVerdict::kDeny;
  std::string reason;
  std::string admin_identity;  // "cli:<user>" (approval/answers.h cliIdentity)
  bool override_cooldown = false;
  bool override_circuit_breaker = false;
  Duration validity = std::chrono::minutes(5);  // approve/force: expires_at = now + validity
};

// A signed approval_decision from source "orion-approval-cli", issued `now`, with fresh ids
// (an action_id only for approve and force; a deny expires at once).
contracts::ApprovalDecision makeSignedAnswer(const AnswerSpec& spec, const AdminKey& key,
                                             WallTime now);

// OK when tags.signature is the key's signature of the decision. kPermissionDenied otherwise:
// "approval <id>: not signed" or "approval <id>: signature does not match (wrong key, or the
// document was altered)".
Status verifyApproval(const contracts::ApprovalDecision& decision, const AdminKey& key);

}  // namespace orion::signing
