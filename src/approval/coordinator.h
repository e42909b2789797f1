// The approval coordinator's service, with the knobs tests need. makeApprovalCoordinator()
// (approval.h) builds one from the configuration; tests build one from CoordinatorOptions to make
// the sweeper look at the clock more often.
#pragma once

#include <chrono>
#include <memory>

#include "approval/pending_requests.h"
#include "bus/module_context.h"
#include "common/service.h"

namespace orion::approval {

struct CoordinatorOptions {
  PendingOptions pending;
  // The sweeper wakes at the next expiry, a new request, or stop(); and at least this often, so
  // that a clock that jumps (a wall-clock step, or a SimulatedClock in tests) is noticed.
  Duration max_sweep_wait = std::chrono::seconds(1);
};

// The coordinator service (consumer of `approval_request`). Owns one subscription thread and one
// sweeper thread; both are joined by stop().
std::unique_ptr<Service> makeCoordinator(CoordinatorOptions options, ModuleContext context);

}  // namespace orion::approval
