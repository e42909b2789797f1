// The HTTP API (cpp-httplib) on `api.listen` (loopback by default), started when `api.enabled`
// is true. What it serves is specified in docs/api.md:
//   GET /health, /ready, /metrics                 probes and the Prometheus text format
//   GET /api/v1/...                               read-only JSON (status, incidents, decisions,
//                                                 actions, outcomes, approvals, audit, policy)
//   GET /api/v1/stream                            server-sent events of live documents
//   POST /api/v1/approvals/{id}/approve|deny|force, POST /api/v1/autonomy   (admin token)
//   GET /, /ui/...                                the dashboard, embedded in the binary
// It reads the audit trail (memory's offline side) for history, runs the daemon's control
// operations in process (ModuleContext::operations) for live state and admin changes, and
// subscribes to the bus (group "api") for the live stream.
#pragma once

#include <memory>

#include "bus/module_context.h"
#include "common/service.h"
#include "config/config.h"

namespace orion::api {

std::unique_ptr<Service> makeApiServer(const config::Config& config, ModuleContext context);

}  // namespace orion::api
