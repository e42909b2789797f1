// The API server is made of route groups, each in its own files: the read-only JSON API, the live
// stream, the admin endpoints and the dashboard. The server (api_server.cc) starts every group
// before it listens and stops them after it stopped listening.
//
// Threads: addRoutes() is called once, before the server listens. The handlers run on the
// server's worker threads, several at once: a group's handlers must be thread-safe.
#pragma once

#include <httplib.h>

#include <filesystem>
#include <memory>

#include "bus/module_context.h"
#include "common/logging.h"
#include "common/status.h"
#include "config/config.h"

namespace orion::api {

// What every group is built from. Valid for the server's lifetime.
struct ApiEnvironment {
  const config::Config& config;
  ModuleContext& module;  // bus, clock, metrics, node, state_dir, operations
  Logger log;
};

class RouteGroup {
 public:
  virtual ~RouteGroup() = default;
  // Acquire what the handlers need (files, subscriptions). An error stops the API's start.
  virtual Status start() { return Status::ok(); }
  virtual void addRoutes(httplib::Server& server) = 0;
  // Release it; the server no longer calls the handlers. Idempotent.
  virtual void stop() {}
};

std::unique_ptr<RouteGroup> makeReadRoutes(const ApiEnvironment& environment);   // read_routes.cc
std::unique_ptr<RouteGroup> makeLiveStream(const ApiEnvironment& environment);   // live_stream.cc
std::unique_ptr<RouteGroup> makeAdminRoutes(const ApiEnvironment& environment);  // admin_routes.cc
std::unique_ptr<RouteGroup> makeDashboard(const ApiEnvironment& environment);    // dashboard.cc

}  // namespace orion::api
