// The guardian: turns events into incidents. Consumes `event` (group "guardian"), publishes
// `incident`. It correlates, it never decides.
#pragma once

#include <memory>

#include "bus/module_context.h"
#include "common/service.h"
#include "config/config.h"

namespace orion::guardian {

std::unique_ptr<Service> makeGuardian(const config::GuardianConfig& config, ModuleContext context);

}  // namespace orion::guardian
