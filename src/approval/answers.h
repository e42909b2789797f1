// The admin's answers to approval requests: the checks an answer must pass before the coordinator
// publishes it, and the record of a request nobody answered. Pure (every function takes the time
// it should consider as `now`); called under the coordinator's mutex.
//
// An answer is an approval_decision document the CLI built and signed with the admin key
// (signing/approval_signature.h). It is accepted only when all of these hold, checked in order:
//   1. an admin key is configured (without one, nothing is ever approved);
//   2. it answers this request: same approval_request_id, decision_id and tags.action_hash (the
//      hash of exactly the action the request showed);
//   3. its signature verifies under the admin key;
//   4. the request has not expired (approve, deny and force alike);
//   5. it was issued now (issued_at within max_skew of the coordinator's clock) and, for approve
//      and force, stays usable for at most max_validity, ending in the future;
//   6. a reason is given: non-blank for approve and deny, at least 10 characters for force;
//   7. override flags only on force; an action_id on approve and force, none on deny;
//   8. admin_identity is who the control socket says is asking (cli:<user>), or whom the
//      in-process front end authenticated (control::Peer::identity, e.g. api:admin@<ip>).
// The first failure is returned: kPermissionDenied for 1, 3 and 8, kFailedPrecondition for 4,
// kInvalidArgument for the others.
#pragma once

#include <string>
#include <string_view>

#include "approval/pending_requests.h"
#include "contracts/documents.h"
#include "signing/admin_answer.h"
#include "signing/admin_key.h"

namespace orion::approval {

struct AnswerRules {
  const signing::AdminKey* key = nullptr;  // nullptr: none configured
  Duration max_validity = std::chrono::minutes(5);
  Duration max_skew = std::chrono::minutes(2);
};

using signing::kMinForceReason;  // signing/admin_answer.h

// The admin identity of a CLI caller, as the coordinator and the CLI both compute it from the
// caller's uid and login name: "cli:alice" or "cli:uid-1000".
std::string cliIdentity(unsigned uid, std::string_view user);

Status checkAnswer(const PendingRequest& request, const contracts::ApprovalDecision& answer,
                   std::string_view caller_identity, const AnswerRules& rules, WallTime now);

// The record of a request that expired unanswered: a `deny` from "orion-approval-coordinator",
// reason "expired …", tags.expired = "true", signed with `key` when there is one (so commanders
// can tell it from a forgery). `approval_id` is the new document's id.
contracts::ApprovalDecision expiryRecord(const PendingRequest& request, std::string why,
                                         std::string approval_id, const signing::AdminKey* key,
                                         WallTime now);

}  // namespace orion::approval
