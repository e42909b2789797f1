// The approval coordinator: holds approval requests until the admin approves, denies or forces
// them, or they expire. Consumes `approval_request` (group "approval-coordinator"), publishes
// `approval_decision`.
//
// Every request is stored durably (<state_dir>/approval/state.log) with an expiry bounded by the
// policy's per-action timeout and by `approval.max_timeout`. The admin answers through the CLI
// (`orion approvals | approve | deny | force`, over the control socket): each answer is an
// approval_decision signed with the admin key, which the coordinator verifies (answers.h) before
// publishing it; the commander verifies it again before executing. A request nobody answers is
// recorded as expired (a `deny` from orion-approval-coordinator) and never executes ("silence is
// never permission"). See coordinator.h, answers.h, docs/approvals.md.
#pragma once

#include <memory>
#include <string>

#include "bus/module_context.h"
#include "common/service.h"
#include "config/config.h"

namespace orion::approval {

// The coordinator service; start() loads the admin key and the stored requests, subscribes and
// starts the sweeper; stop() drains and joins both threads. Called from the supervisor's thread.
std::unique_ptr<Service> makeApprovalCoordinator(const config::ApprovalConfig& config,
                                                 std::string policy_dir, ModuleContext context);

}  // namespace orion::approval
