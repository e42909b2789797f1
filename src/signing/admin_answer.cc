#include "signing/admin_answer.h"

#include <fmt/format.h>

namespace orion::signing {
namespace {

Result<std::string> requiredString(const Json& shown, const char* field) {
  auto it = shown.find(field);
  if (it == shown.end() || !it->is_string() || it->get<std::string>().empty()) {
    return invalidArgument(std::string("approvals.show: the request has no '") + field +
                           "' (is the daemon of another version?)");
  }
  return it->get<std::string>();
}

size_t trimmedLength(std::string_view text) {
  size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return 0;
  return text.find_last_not_of(" \t\r\n") - begin + 1;
}

}  // namespace

Status checkReason(contracts::ApprovalVerdict verdict, std::string_view reason) {
  size_t length = trimmedLength(reason);
  if (verdict == contracts::ApprovalVerdict::kForce && length < kMinForceReason) {
    return invalidArgument(fmt::format(
        "force needs a reason of at least {} characters (a strong justification), got {}",
        kMinForceReason, length));
  }
  if (length == 0) return invalidArgument("a reason is required (it goes into the audit trail)");
  return Status::ok();
}

Result<AnswerSpec> answerSpecFor(const Json& shown, AdminVerdict verdict) {
  if (!shown.is_object()) return invalidArgument("approvals.show: expected an object");
  AnswerSpec spec;
  for (auto [field, target] :
       {std::pair{"approval_request_id", &spec.approval_request_id},
        std::pair{"decision_id", &spec.decision_id}, std::pair{"action_hash", &spec.action_hash}}) {
    auto value = requiredString(shown, field);
    if (!value) return value.status();
    *target = std::move(value).value();
  }
  spec.action_type = shown.value("action_type", "");
  spec.verdict = verdict.verdict;
  spec.reason = std::move(verdict.reason);
  spec.admin_identity = std::move(verdict.admin_identity);
  spec.override_cooldown = verdict.override_cooldown;
  spec.override_circuit_breaker = verdict.override_circuit_breaker;
  // The coordinator refuses an answer usable for longer than it allows; it says how long that is.
  auto validity = shown.find("answer_validity_seconds");
  if (validity != shown.end() && validity->is_number_integer() && validity->get<int64_t>() > 0) {
    spec.validity = std::chrono::seconds(validity->get<int64_t>());
  }
  return spec;
}

std::string httpAdminIdentity(std::string_view remote_address) {
  return "api:admin@" + std::string(remote_address);
}

}  // namespace orion::signing
