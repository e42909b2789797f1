// The daemon's control operations run in process for the read API (control/control.h): live
// state the trail does not hold (the autonomy level in force, the policy snapshot, the pending
// approvals as the coordinator sees them).
//
// Thread-safety: any thread (the Dispatcher is thread-safe).
#pragma once

#include <string>
#include <string_view>

#include "api/route_group.h"
#include "common/json.h"
#include "common/status.h"

namespace orion::api {

// Runs `op` as this process (control::selfPeer()) with via = "http <remote>". kUnavailable when
// the API runs without a control channel; kNotFound when no module in this process registered
// `op` (its module runs elsewhere).
Result<Json> runOperation(const ApiEnvironment& environment, std::string_view op,
                          std::string_view remote, Json args = Json::object());

}  // namespace orion::api
