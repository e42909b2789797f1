// The brain: decides what to do about each incident under the configured autonomy level.
// Consumes `incident` (group "brain"), publishes `decision` (and, in N3, `approval_request`).
#pragma once

#include <memory>

#include "bus/module_context.h"
#include "common/service.h"
#include "config/config.h"

namespace orion::brain {

std::unique_ptr<Service> makeBrain(const config::BrainConfig& config, ModuleContext context);

}  // namespace orion::brain
