// The brain: decides what to do about each incident under the autonomy level in force, within
// the policy (policy/policy.h) and the safety state, and explains every decision.
//
// Consumes `incident` (new revisions get a decision), `action` and `outcome` (executions: they
// feed cooldowns, rate limits, the budget, circuit breakers and escalation ladders); publishes
// `decision`, `approval_request` (for REQUEST_APPROVAL) and `autonomy_change` (the admin's
// runtime level changes). All in consumer group "brain". Logic: brain_core.h (orchestration),
// decider.h (one decision), gates.h (the gates, in order), explain.h (reasoning and tags).
//
// Durable: the SafetyState lives in `<state_dir>/brain/state.log` and is rebuilt on start, so a
// restart never resets a cooldown, reopens a closed breaker, forgets a pending re-decision or
// loses a decided but unpublished document (the outbox). It is written once per bus batch (each
// subscription's before_ack), with the batch's documents in the outbox, before they are
// published. The policy is loaded at start and again
// on the control operation `policy.reload` (SIGHUP, `orion policy reload`); a policy that fails to
// load leaves the previous one in force, or, at start, nothing SAFE. Metrics: brain_metrics.h.
//
// Control operations (ModuleContext::control): autonomy.show, autonomy.set {level, reason},
// policy.reload, policy.show.
#pragma once

#include <memory>

#include "bus/module_context.h"
#include "common/service.h"
#include "config/config.h"

namespace orion::brain {

// The brain service. start() loads the policy, opens and loads the state store (kDataLoss or
// kUnavailable if it cannot: the brain does not run without its safety state), registers its
// control operations, subscribes, and starts the re-check timer (every brain.recheck_interval).
// Handlers run on the subscriptions' threads under one mutex. stop() unregisters, drains, stops,
// and writes the state. Both are called from the supervisor's thread.
std::unique_ptr<Service> makeBrain(const config::BrainConfig& config, ModuleContext context);

}  // namespace orion::brain
