// The commander: the only module that acts. Consumes `decision` (group "commander-<node>") and
// `approval_decision` (group "commander-approval-<node>"); publishes `action` and `outcome`.
// It acts only on decisions addressed to its own node (`tags.node`, see bus/routing.h); the
// others are acknowledged and counted as orion_commander_ignored_total{reason="other_node"}.
//
// It executes only
//   (a) EXECUTE_SAFE_ACTION decisions whose action the policy in force still classifies SAFE
//       (made stricter by the executor's declared risk; verdict.h), and
//   (b) REQUEST_APPROVAL decisions once an approval_decision arrives that is signed with the
//       admin key (signing/approval_signature.h), approves exactly this decision and action
//       (tags.action_hash), has not expired and was never used. The decision waits durably
//       until then; a deny (from the admin, or the coordinator's expiry record) ends it, and so
//       does its own approval window (policy approvalTimeout) passing.
// Every execution is journalled in <state_dir>/commander/state.log before it starts, publishes
// `action` (pending → executing → succeeded | failed) and an `outcome` (result.verified where
// the executor checks its work), and is never run twice: a redelivered decision or approval is a
// duplicate, and an action found "executing" at start (a crash) is marked failed with reason
// "interrupted" and never rerun. Dry run (commander.dry_run, or parameters.dry_run) records what
// would run and runs nothing. The executors (executor.h, docs/executors.md) are the built-ins
// plus one per exec action the policy declares when the commander starts.
#pragma once

#include <memory>
#include <string>

#include "bus/module_context.h"
#include "commander/executor.h"
#include "common/service.h"
#include "config/config.h"

namespace orion::commander {

struct CommanderOptions {
  bool dry_run = false;
  std::string policy_dir;      // re-check SAFE, approval windows ("": nothing is SAFE)
  std::string admin_key_file;  // relative: under state_dir; "": no approval is ever accepted
  Duration max_approval_wait = std::chrono::hours(1);  // approval.max_timeout
  Duration action_timeout = std::chrono::seconds(60);
  int max_attempts = 2;
  Duration retry_backoff = std::chrono::milliseconds(500);
  // Threads that run executions (execution_pool.h), so a slow action never holds up the
  // decisions behind it; actions on one target still run one at a time. 0: on the consuming
  // thread itself, each decision's execution finished before the next is judged (tests).
  size_t execution_workers = 0;
  BuiltinOptions builtin;
};

// The commander service with the built-in executors, plus `extra` (tests add their own).
// start() loads the policy, the admin key (a key file open to group/others makes it fail), the
// journal, and opens both subscriptions (each on its own bus thread, so approvals are consumed
// while decisions are). stop() drains, then stops both. Called from the supervisor's thread.
std::unique_ptr<Service> makeCommanderService(CommanderOptions options, ModuleContext context,
                                              std::vector<std::unique_ptr<Executor>> extra = {});

// The service from the configuration (supervisor).
std::unique_ptr<Service> makeCommander(const config::Config& config, ModuleContext context);

}  // namespace orion::commander
