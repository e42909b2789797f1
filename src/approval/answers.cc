#include "approval/answers.h"

#include <fmt/format.h>

#include "common/ids.h"
#include "common/time.h"
#include "signing/admin_answer.h"
#include "signing/overrides.h"

namespace orion::approval {
namespace {

using contracts::ApprovalVerdict;

std::string tagOf(const contracts::ApprovalDecision& answer, std::string_view key) {
  auto it = answer.tags.find(std::string(key));
  return it == answer.tags.end() ? "" : it->second;
}

Status denied(std::string message) {
  return Status(StatusCode::kPermissionDenied, std::move(message));
}

}  // namespace

std::string cliIdentity(unsigned uid, std::string_view user) {
  return user.empty() ? fmt::format("cli:uid-{}", uid) : fmt::format("cli:{}", user);
}

Status checkAnswer(const PendingRequest& request, const contracts::ApprovalDecision& answer,
                   std::string_view caller_identity, const AnswerRules& rules, WallTime now) {
  const std::string& id = request.approval_request_id;
  if (rules.key == nullptr) {
    return denied("no admin key is configured (approval.admin_key_file): no answer is accepted");
  }
  if (answer.approval_request_id != id || answer.decision_id != request.decision_id) {
    return invalidArgument(
        fmt::format("the answer is for request {} / decision {}, not request {} / decision {}",
                    answer.approval_request_id, answer.decision_id, id, request.decision_id));
  }
  if (tagOf(answer, signing::kActionHashTag) != request.action_hash) {
    return invalidArgument("request " + id +
                           ": the answer does not name the action the request shows (action "
                           "hash differs); list it again with `orion approvals`");
  }
  ORION_RETURN_IF_ERROR(signing::verifyApproval(answer, *rules.key));
  if (now >= request.expires_at) {
    return failedPrecondition("request " + id + " expired at " + formatRfc3339(request.expires_at) +
                              "; it will not execute");
  }
  if (answer.issued_at > now + rules.max_skew || answer.issued_at < now - rules.max_skew) {
    return invalidArgument("the answer was issued at " + formatRfc3339(answer.issued_at) +
                           ", too far from now (" + formatRfc3339(now) + "): check the clocks");
  }
  bool executes = answer.decision != ApprovalVerdict::kDeny;
  if (executes) {
    if (answer.expires_at <= now) return invalidArgument("the answer has already expired");
    if (answer.expires_at - answer.issued_at > rules.max_validity) {
      return invalidArgument("the answer stays usable for longer than " +
                             formatDuration(rules.max_validity) + " (approval.answer_validity)");
    }
  }
  ORION_RETURN_IF_ERROR(signing::checkReason(answer.decision, answer.reason));
  if (answer.decision != ApprovalVerdict::kForce &&
      (answer.override_cooldown || answer.override_circuit_breaker)) {
    return invalidArgument("override flags are only allowed with force");
  }
  if (executes) {
    signing::RequiredOverrides required =
        signing::parseRequiredOverrides(request.requires_override, request.cooldown_until);
    if (Status allowed =
            signing::checkOverrides(required, answer.decision, answer.override_cooldown,
                                    answer.override_circuit_breaker, now);
        !allowed) {
      return invalidArgument("request " + id + ": " + allowed.message() + " (`orion force " +
                             id.substr(0, 8) + " --reason … " + signing::requiredFlags(required) +
                             "`)");
    }
  }
  if (executes != answer.action_id.has_value()) {
    return invalidArgument(executes ? "an approve or force answer needs an action_id"
                                    : "a deny answer carries no action_id");
  }
  if (answer.admin_identity != caller_identity) {
    return denied("the answer claims to be from '" + answer.admin_identity +
                  "' but the caller is '" + std::string(caller_identity) + "'");
  }
  return Status::ok();
}

contracts::ApprovalDecision expiryRecord(const PendingRequest& request, std::string why,
                                         std::string approval_id, const signing::AdminKey* key,
                                         WallTime now) {
  contracts::ApprovalDecision record;
  record.approval_id = std::move(approval_id);
  record.timestamp = now;
  record.source = "orion-approval-coordinator";
  record.approval_request_id = request.approval_request_id;
  record.decision_id = request.decision_id;
  record.decision = ApprovalVerdict::kDeny;
  record.admin_identity = "orion-approval-coordinator";
  record.reason = "expired: " + why +
                  "; no admin answered, so the action is not executed (silence is never "
                  "permission)";
  record.issued_at = now;
  record.expires_at = now;
  record.tags["expired"] = "true";
  record.tags["action_type"] = request.action_type;
  if (key != nullptr) {
    signing::signApproval(record, request.action_hash, *key);
  } else {
    record.tags[std::string(signing::kActionHashTag)] = request.action_hash;
  }
  return record;
}

}  // namespace orion::approval
