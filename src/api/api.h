// The HTTP API (cpp-httplib). In this issue: GET /health and GET /metrics (Prometheus text), on
// `api.listen` (loopback by default), started only when `api.enabled` is true.
#pragma once

#include <memory>

#include "bus/module_context.h"
#include "common/service.h"
#include "config/config.h"

namespace orion::api {

std::unique_ptr<Service> makeApiServer(const config::ApiConfig& config, ModuleContext context);

}  // namespace orion::api
