// approval_request documents for the approval tests.
#pragma once

#include <string>

#include "common/ids.h"
#include "common/json.h"
#include "common/time.h"
#include "signing/approval_signature.h"

namespace orion::testing {

inline Json approvalRequest(WallTime now, WallTime expires_at, std::string id = newUuid()) {
  return Json{{"version", "1.0"},
              {"approval_request_id", std::move(id)},
              {"timestamp", formatRfc3339(now)},
              {"source", "orion-brain"},
              {"decision_id", newUuid()},
              {"action_type", "restart_service"},
              {"risk_level", "RISKY"},
              {"requested_action",
               {{"action_type", "restart_service"}, {"parameters", {{"service_name", "nginx"}}}}},
              {"expires_at", formatRfc3339(expires_at)},
              {"incident_id", newUuid()}};
}

inline signing::AdminKey testKey(std::string bytes = "0123456789abcdef-admin") {
  return signing::AdminKey::fromBytes(std::move(bytes));
}

// The answer the CLI would send to `request` (an approval_request document).
inline signing::AnswerSpec answerTo(const Json& request, contracts::ApprovalVerdict verdict,
                                    std::string reason, std::string identity = "cli:tester") {
  signing::AnswerSpec spec;
  spec.approval_request_id = request["approval_request_id"];
  spec.decision_id = request["decision_id"];
  spec.action_type = request["action_type"];
  spec.action_hash =
      signing::actionHash(spec.action_type, request["requested_action"]["parameters"]);
  spec.verdict = verdict;
  spec.reason = std::move(reason);
  spec.admin_identity = std::move(identity);
  return spec;
}

}  // namespace orion::testing
