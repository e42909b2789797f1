// The guardian: turns events into incidents. Consumes `event` (group "guardian"), publishes
// `incident`. It correlates, it never decides.
//
// The lifecycle is the correlator's (correlator.h): one incident per condition (fingerprint),
// absorbed events published as updates, recovery resolves, fingerprints expire after
// flap_window, flapping becomes `repeated_failures`, many incidents on one node become one
// `correlation_detected`. A redelivered event never produces a second incident.
//
// Durable: conditions, open incidents, node windows, recent event ids and the incidents decided
// but not yet published (the outbox) live in `<state_dir>/guardian/state.log` and are rebuilt on
// start, so a restart never forgets an open incident or reopens one that was resolved. They are
// written once per bus batch (the subscription's before_ack), the batch's incidents in the outbox,
// and only then published. A publish the bus refuses stays in the outbox and is retried (after
// each batch and every second); while 10000 wait, new events are left on the bus for
// redelivery. Metrics: guardian_metrics.h.
#pragma once

#include <memory>

#include "bus/module_context.h"
#include "common/service.h"
#include "config/config.h"

namespace orion::guardian {

// The guardian service. start() opens and loads its state store (kDataLoss or kUnavailable when
// it cannot), subscribes (group "guardian", consumer "guardian-1") and starts the one-second
// sweep; events are then handled on the subscription's thread. stop() drains what is already on
// the stream (until the deadline), stops, and writes the state. Both are called from the
// supervisor.
std::unique_ptr<Service> makeGuardian(const config::GuardianConfig& config, ModuleContext context);

}  // namespace orion::guardian
