#include "signing/approval_signature.h"

#include "common/ids.h"
#include "common/time.h"

namespace orion::signing {
namespace {

std::string tagOf(const contracts::ApprovalDecision& decision, std::string_view key) {
  auto it = decision.tags.find(std::string(key));
  return it == decision.tags.end() ? "" : it->second;
}

WallTime rounded(WallTime time) {
  auto parsed = parseRfc3339(formatRfc3339(time));
  return parsed ? *parsed : time;
}

}  // namespace

std::string actionHash(std::string_view action_type, const Json& parameters) {
  // nlohmann's default object keeps keys sorted, so dump() is canonical for equal values.
  return sha256Hex(std::string(action_type) + "\n" + parameters.dump());
}

std::string approvalPayload(const contracts::ApprovalDecision& d) {
  std::string out = "orion-approval-decision-v1\n";
  auto line = [&out](std::string_view value) {
    out += Json(std::string(value)).dump();
    out += '\n';
  };
  line(d.approval_id);
  line(d.source);
  line(d.approval_request_id);
  line(d.decision_id);
  line(tagOf(d, kActionHashTag));
  line(contracts::toString(d.decision));
  line(d.admin_identity);
  line(d.reason);
  line(formatRfc3339(d.issued_at));
  line(formatRfc3339(d.expires_at));
  line(d.action_id.value_or(""));
  line(d.override_cooldown ? "override_cooldown" : "-");
  line(d.override_circuit_breaker ? "override_circuit_breaker" : "-");
  return out;
}

void signApproval(contracts::ApprovalDecision& decision, std::string action_hash,
                  const AdminKey& key) {
  decision.timestamp = rounded(decision.timestamp);
  decision.issued_at = rounded(decision.issued_at);
  decision.expires_at = rounded(decision.expires_at);
  decision.tags[std::string(kActionHashTag)] = std::move(action_hash);
  decision.tags.erase(std::string(kSignatureTag));
  decision.tags[std::string(kSignatureTag)] = key.sign(approvalPayload(decision));
}

contracts::ApprovalDecision makeSignedAnswer(const AnswerSpec& spec, const AdminKey& key,
                                             WallTime now) {
  contracts::ApprovalDecision answer;
  answer.approval_id = newUuid();
  answer.timestamp = now;
  answer.source = "orion-approval-cli";
  answer.approval_request_id = spec.approval_request_id;
  answer.decision_id = spec.decision_id;
  answer.decision = spec.verdict;
  answer.admin_identity = spec.admin_identity;
  answer.reason = spec.reason;
  answer.issued_at = now;
  bool executes = spec.verdict != contracts::ApprovalVerdict::kDeny;
  answer.expires_at =
      executes ? now + std::chrono::duration_cast<WallTime::duration>(spec.validity) : now;
  if (executes) answer.action_id = newUuid();
  answer.override_cooldown = spec.override_cooldown;
  answer.override_circuit_breaker = spec.override_circuit_breaker;
  if (!spec.action_type.empty()) answer.tags["action_type"] = spec.action_type;
  signApproval(answer, spec.action_hash, key);
  return answer;
}

Status verifyApproval(const contracts::ApprovalDecision& decision, const AdminKey& key) {
  std::string signature = tagOf(decision, kSignatureTag);
  if (signature.empty()) {
    return Status(StatusCode::kPermissionDenied,
                  "approval " + decision.approval_id + ": not signed with the admin key");
  }
  if (!key.verify(approvalPayload(decision), signature)) {
    return Status(StatusCode::kPermissionDenied,
                  "approval " + decision.approval_id +
                      ": signature does not match (signed with another key, or altered)");
  }
  return Status::ok();
}

}  // namespace orion::signing
