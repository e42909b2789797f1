// GET /ready and GET /api/v1/status (docs/api.md, "Read API"): what this ORION is and whether it
// can do its job, gathered from the bus, the metrics the modules keep, the daemon's control
// operations and the audit trail.
//
// A module that does not run in this process (the distributed shape) is "not in this process":
// its metrics were never registered. Its readiness check then passes (another process answers
// for it), saying so in `detail`.
//
// Called on request threads; each call reads current values (no caching besides the chain
// status, which TrailView verifies in the background).
#pragma once

#include "api/route_group.h"
#include "api/trail_view.h"
#include "common/json.h"

namespace orion::api {

struct Readiness {
  bool ready = false;
  Json checks;  // {"bus": {"ok", "detail"}, "storage": {...}, "policy": {...}}
};

Readiness readiness(const ApiEnvironment& environment, TrailView& trail, std::string_view remote);

// The /api/v1/status document. `started` is when the API started (for uptime_seconds).
Json systemStatus(const ApiEnvironment& environment, TrailView& trail, MonoTime started,
                  std::string_view remote);

}  // namespace orion::api
