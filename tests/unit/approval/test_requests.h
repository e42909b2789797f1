// approval_request documents for the approval tests.
#pragma once

#include <string>

#include "common/ids.h"
#include "common/json.h"
#include "common/time.h"

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

}  // namespace orion::testing
