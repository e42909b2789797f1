#include "commander/runner.h"

#include <fmt/format.h>

#include <thread>

namespace orion::commander {

contracts::Outcome runAction(const contracts::Action& action, Executor& executor,
                             const RunOptions& options, const Clock& clock,
                             const std::function<std::string()>& new_id) {
  contracts::Outcome outcome;
  outcome.outcome_id = new_id();
  outcome.action_id = action.action_id;
  outcome.tags = action.tags;
  MonoTime started = clock.monotonic();
  MonoTime deadline = started + options.timeout;
  const ExecutorMetadata& metadata = executor.metadata();

  Execution last;
  Json attempts = Json::array();
  if (options.dry_run && !metadata.supports_dry_run) {
    last = Execution::succeeded(Json{{"would_run", action.action_type},
                                     {"parameters", action.parameters},
                                     {"note", "the executor has no dry-run mode: nothing ran"}});
  } else {
    Duration backoff = options.backoff;
    for (int attempt = 1; attempt <= std::max(1, options.max_attempts); ++attempt) {
      last = executor.execute(
          action, ExecutionContext{clock, deadline, options.dry_run, options.policy.get()});
      attempts.push_back(Json{{"attempt", attempt},
                              {"status", last.status == ExecutionStatus::kSucceeded   ? "succeeded"
                                         : last.status == ExecutionStatus::kRetryable ? "retryable"
                                                                                      : "failed"},
                              {"error", last.error_message}});
      if (last.status != ExecutionStatus::kRetryable) break;
      if (clock.monotonic() + backoff >= deadline) break;
      if (attempt < options.max_attempts) std::this_thread::sleep_for(backoff);
      backoff *= 2;
    }
    if (last.status == ExecutionStatus::kSucceeded && clock.monotonic() > deadline) {
      last = Execution::failed("TIMEOUT",
                               fmt::format("{} took longer than its timeout", action.action_type));
    }
  }
  outcome.timestamp = clock.now();
  outcome.execution_time_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(clock.monotonic() - started).count();
  Json result = last.result.is_object() ? last.result : Json::object();
  result["attempts"] = attempts;
  if (options.dry_run) result["dry_run"] = true;
  if (last.verified) result["verified"] = *last.verified;
  outcome.result = std::move(result);
  if (last.status == ExecutionStatus::kSucceeded) {
    outcome.status = contracts::OutcomeStatus::kSucceeded;
  } else {
    outcome.status = contracts::OutcomeStatus::kFailed;
    outcome.error = contracts::OutcomeError{
        last.error_code.empty() ? "EXECUTION_FAILED" : last.error_code,
        last.error_message.empty() ? "the executor failed" : last.error_message,
        Json{{"action_type", action.action_type}}};
  }
  return outcome;
}

}  // namespace orion::commander
