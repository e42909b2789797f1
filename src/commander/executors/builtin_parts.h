// The built-in executors, one factory each (registered by registerBuiltinExecutors, builtin.cc),
// and what several of them share. Internal to the commander.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "commander/executor.h"
#include "commander/process_runner.h"

namespace orion::commander {

std::unique_ptr<Executor> makeRunDiagnostic();
std::unique_ptr<Executor> makeExecAction(const policy::ExecAction& declared);
std::unique_ptr<Executor> makeRestartService(const BuiltinOptions& options);
std::unique_ptr<Executor> makeSendNotification(const BuiltinOptions& options);

// "nginx" → "nginx.service" (a unit name without a known suffix gets ".service"). kInvalidArgument
// for an empty name, one starting with '-' or '.', characters other than systemd's
// (letters, digits, ":_.-@\\"), more than 255 characters, or a template without an instance.
Result<std::string> systemdUnitName(std::string_view name);

// The string parameter `key` of the action, or "" when absent or not a string.
std::string stringParameter(const contracts::Action& action, std::string_view key);

// One command run as an action: in dry run, succeeded with result.would_run = argv and nothing
// run; else run with a deadline of min(timeout, the action's) and at most max_output bytes of
// output, and
//   exit 0            → succeeded, result = `result` + the process (ProcessResult::toJson)
//   other exit        → failed COMMAND_FAILED, with the output in the result
//   deadline passed   → failed TIMEOUT (the process group was killed)
//   cannot start      → failed COMMAND_NOT_FOUND / EXEC_FAILED, nothing ran
// Never retryable: a command that ran may have done part of its work.
Execution runCommand(const std::vector<std::string>& argv, Duration timeout, int64_t max_output,
                     const ExecutionContext& context, Json result);

// The deadline of a step that may take at most `limit` within the action's own deadline.
MonoTime stepDeadline(const ExecutionContext& context, Duration limit);

}  // namespace orion::commander
