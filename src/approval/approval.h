// The approval coordinator: holds approval requests until the admin approves, denies or forces
// them, or they expire. Consumes `approval_request` (group "approval-coordinator"), publishes
// `approval_decision`.
//
// In this build no approval channel exists (no CLI, HTTP or chat front-end: issue 6 adds them),
// so the coordinator publishes nothing: it validates each request, keeps it pending (bounded, its
// expiry capped at config `approval.max_timeout`) and, on its own sweeper thread, expires it when
// the clock passes expires_at. An expired request is logged as an escalation and counted; it is
// never executed ("silence is never permission"). See coordinator.h and pending_requests.h.
#pragma once

#include <memory>

#include "bus/module_context.h"
#include "common/service.h"
#include "config/config.h"

namespace orion::approval {

// The coordinator service; start() subscribes and starts the sweeper, stop() drains and joins
// both threads. Called from the supervisor's thread.
std::unique_ptr<Service> makeApprovalCoordinator(const config::ApprovalConfig& config,
                                                 ModuleContext context);

}  // namespace orion::approval
