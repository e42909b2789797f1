// The guardian: turns events into incidents. Consumes `event` (group "guardian"), publishes
// `incident`. It correlates, it never decides.
//
// In this build (issue 2) correlation is per fingerprint (correlator.h): a warning/error/critical
// event opens an incident, matching events are absorbed (a severity raise publishes an update), a
// recovery resolves it. A redelivered event never produces a second incident. Metrics are listed
// in guardian_metrics.h. `correlation_window` is read by the issue-4 lifecycle (fingerprint expiry,
// flapping); `max_open_incidents` bounds the open incidents held in memory.
#pragma once

#include <memory>

#include "bus/module_context.h"
#include "common/service.h"
#include "config/config.h"

namespace orion::guardian {

// The guardian service. start() subscribes (group "guardian", consumer "guardian-1") and returns
// the bus's error if it cannot; events are then handled on the subscription's thread. A handler
// publish failure is returned to the bus, which redelivers the event. stop() drains what is
// already on the stream (until the deadline), then stops. Both are called from the supervisor.
std::unique_ptr<Service> makeGuardian(const config::GuardianConfig& config, ModuleContext context);

}  // namespace orion::guardian
