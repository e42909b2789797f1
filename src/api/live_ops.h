// The daemon's control operations run in process for the API (control/control.h): live state
// the trail does not hold (the autonomy level in force, the policy snapshot, the pending
// approvals as the coordinator sees them), and the admin endpoints' changes.
//
// Thread-safety: any thread (the Dispatcher is thread-safe).
#pragma once

#include <httplib.h>

#include <string>
#include <string_view>

#include "api/route_group.h"
#include "common/json.h"
#include "common/status.h"

namespace orion::api {

// "<address>:<port>" of the request's client.
std::string remoteOf(const httplib::Request& request);

// Runs `op` as this process (control::selfPeer()) with via = "http <remote>". With an
// `admin_identity` (a request the admin token authenticated) the peer carries it and via says
// "(admin token)". kUnavailable when the API runs without a control channel; kNotFound when no
// module in this process registered `op` (its module runs elsewhere).
Result<Json> runOperation(const ApiEnvironment& environment, std::string_view op,
                          std::string_view remote, Json args = Json::object(),
                          std::string_view admin_identity = {});

}  // namespace orion::api
