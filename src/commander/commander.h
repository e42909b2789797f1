// The commander: the only module that acts. Consumes `decision` (group "commander") and
// `approval_decision` (group "commander-approval"); publishes `action` and `outcome`.
#pragma once

#include <memory>

#include "bus/module_context.h"
#include "common/service.h"
#include "config/config.h"

namespace orion::commander {

std::unique_ptr<Service> makeCommander(const config::CommanderConfig& config,
                                       ModuleContext context);

}  // namespace orion::commander
