// The commander: the only module that acts. Consumes `decision` (group "commander-<node>") and
// `approval_decision` (group "commander-approval-<node>"); publishes `action` and `outcome`.
// It acts only on decisions addressed to its own node (`tags.node`, see bus/routing.h); the
// others are acknowledged and counted as orion_commander_ignored_total{reason="other_node"}.
//
// In this build (issue 2) no executor exists, so the commander executes nothing and publishes
// nothing: NO_ACTION and SUGGEST_ACTION are ignored; EXECUTE_SAFE_ACTION and REQUEST_APPROVAL are
// refused (one error log and one orion_commander_refused_total{reason} per decision; see
// verdict.h); approval decisions are counted and ignored. Issue 6 adds executors and approvals.
#pragma once

#include <memory>

#include "bus/module_context.h"
#include "common/service.h"
#include "config/config.h"

namespace orion::commander {

// The commander service. start() opens both subscriptions (each runs on its own bus thread, so
// approvals are consumed while decisions are) and returns the bus's error if either fails.
// stop() drains, then stops both. Both are called from the supervisor's thread.
std::unique_ptr<Service> makeCommander(const config::CommanderConfig& config,
                                       ModuleContext context);

}  // namespace orion::commander
