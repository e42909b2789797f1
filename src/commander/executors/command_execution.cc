// What the command-running executors share: one argv run as an action (builtin_parts.h).
#include "commander/executors/builtin_parts.h"

namespace orion::commander {

std::string stringParameter(const contracts::Action& action, std::string_view key) {
  auto it = action.parameters.find(key);
  return it != action.parameters.end() && it->is_string() ? it->get<std::string>() : "";
}

MonoTime stepDeadline(const ExecutionContext& context, Duration limit) {
  return std::min(context.deadline, context.clock.monotonic() + limit);
}

Execution runCommand(const std::vector<std::string>& argv, Duration timeout, int64_t max_output,
                     const ExecutionContext& context, Json result) {
  result["argv"] = argv;
  if (context.dry_run) {
    result["would_run"] = argv;
    return Execution::succeeded(std::move(result));
  }
  ProcessSpec spec;
  spec.argv = argv;
  spec.deadline = stepDeadline(context, timeout);
  spec.max_output = static_cast<size_t>(max_output);
  auto ran = runProcess(spec, context.clock);
  if (!ran) {
    bool missing = ran.status().code() == StatusCode::kNotFound;
    Execution failed = Execution::failed(missing ? "COMMAND_NOT_FOUND" : "EXEC_FAILED",
                                         ran.status().message() + "; nothing ran");
    failed.result = std::move(result);
    return failed;
  }
  Json process = ran->toJson();
  for (auto& [key, value] : process.items()) result[key] = value;
  if (ran->timed_out) {
    Execution failed =
        Execution::failed("TIMEOUT", argv.front() + " did not finish in time: " + ran->describe() +
                                         "; its process group was killed");
    failed.result = std::move(result);
    return failed;
  }
  if (!ran->exitedWith(0)) {
    Execution failed =
        Execution::failed("COMMAND_FAILED", argv.front() + " failed: " + ran->describe());
    failed.result = std::move(result);
    return failed;
  }
  return Execution::succeeded(std::move(result));
}

}  // namespace orion::commander
