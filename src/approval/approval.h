// The approval coordinator: holds approval requests until the admin approves, denies or forces
// them, or they expire. Consumes `approval_request` (group "approval-coordinator"), publishes
// `approval_decision`.
#pragma once

#include <memory>

#include "bus/module_context.h"
#include "common/service.h"
#include "config/config.h"

namespace orion::approval {

std::unique_ptr<Service> makeApprovalCoordinator(const config::ApprovalConfig& config,
                                                 ModuleContext context);

}  // namespace orion::approval
