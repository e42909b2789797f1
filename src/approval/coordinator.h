// The approval coordinator's service, with the knobs tests need. makeApprovalCoordinator()
// (approval.h) builds one from the configuration; tests build one from CoordinatorOptions to make
// the sweeper look at the clock more often.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "approval/pending_requests.h"
#include "bus/module_context.h"
#include "common/service.h"

namespace orion::approval {

struct CoordinatorOptions {
  PendingOptions pending;
  // The sweeper wakes at the next expiry, a new request, or stop(); and at least this often, so
  // that a clock that jumps (a wall-clock step, or a SimulatedClock in tests) is noticed.
  Duration max_sweep_wait = std::chrono::seconds(1);
  // The policy directory whose approvalTimeout(action_type) bounds each request ("": none, only
  // max_timeout applies).
  std::string policy_dir;
  // The admin key file (relative: under the context's state_dir). "": no answer is accepted.
  // A key file that cannot be read or is open to group/others makes start() fail.
  std::string admin_key_file;
  Duration answer_validity = std::chrono::minutes(5);  // approve/force answers, ≤ max_timeout
};

// The coordinator service (consumer of `approval_request`, producer of `approval_decision`).
// Owns one subscription thread and one sweeper thread; both are joined by stop(). With a
// state_dir in the context, pending requests, answered ids and unpublished answers live in
// `<state_dir>/approval/state.log` and survive a restart. With a control registry, it serves
// approvals.list, approvals.show and approvals.answer (docs/approvals.md).
std::unique_ptr<Service> makeCoordinator(CoordinatorOptions options, ModuleContext context);

}  // namespace orion::approval
