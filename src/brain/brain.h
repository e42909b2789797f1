// The brain: decides what to do about each incident under the configured autonomy level.
// Consumes `incident` (group "brain"), publishes `decision` (and, in N3, `approval_request`).
//
// In this build (issue 2) there is no policy engine: every open incident (new, or updated with a
// higher severity) gets one NO_ACTION decision at N0 with reasoning (decider.h); resolved and
// acknowledged incidents get none. A configured N1-N3 fails closed to N0: a warning at start, the
// gauge orion_brain_autonomy_degraded = 1, and every decision's reasoning says so. Redelivered
// incidents get no second decision.
#pragma once

#include <memory>

#include "bus/module_context.h"
#include "common/service.h"
#include "config/config.h"

namespace orion::brain {

// The brain service. start() subscribes (group "brain", consumer "brain-1") and returns the bus's
// error if it cannot; incidents are then handled on the subscription's thread, and a failed
// decision publish is returned to the bus for redelivery. stop() drains, then stops. Both are
// called from the supervisor's thread.
std::unique_ptr<Service> makeBrain(const config::BrainConfig& config, ModuleContext context);

}  // namespace orion::brain
