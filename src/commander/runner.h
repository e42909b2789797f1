// One action's execution: attempts, timeout, dry run, and the outcome document. The commander
// owns retries (STYLE.md): an executor's kRetryable result is tried again, up to max_attempts,
// while the action's timeout allows; every attempt is recorded in the outcome's result.attempts.
// Called on the commander's thread; blocks until the executor returns.
#pragma once

#include <functional>
#include <string>

#include "commander/executor.h"
#include "contracts/documents.h"

namespace orion::commander {

struct RunOptions {
  Duration timeout = std::chrono::seconds(60);  // the whole action, every attempt included
  int max_attempts = 2;
  Duration backoff = std::chrono::milliseconds(500);  // before the second attempt, doubling
  bool dry_run = false;
  policy::PolicyPtr policy =
      nullptr;  // the snapshot the action was judged under (ExecutionContext)
};

// Runs `action` with `executor` and returns its outcome (outcome_id from `new_id`). A dry run
// calls only executors that support it (with dry_run set) and never others; its outcome is
// succeeded with result.dry_run = true. A failed outcome always carries an error.
contracts::Outcome runAction(const contracts::Action& action, Executor& executor,
                             const RunOptions& options, const Clock& clock,
                             const std::function<std::string()>& new_id);

}  // namespace orion::commander
