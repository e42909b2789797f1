// Runs one command for an executor (run_diagnostic, exec actions, systemctl): an argv, never a
// shell. Called on the commander's execution thread; blocks until the command ends or its
// deadline passes. Thread-safe (no shared state); each call owns the child it starts.
//
// The child gets
//   - argv[0] resolved once: an absolute path as given, or a bare name looked up in PATH (of the
//     ORION process); a relative path with a '/' is refused,
//   - stdin from /dev/null, stdout and stderr into one pipe (interleaved as written),
//   - no other descriptor of ORION (every fd from 3 up is closed in the child),
//   - its own process group, a default signal mask and dispositions,
//   - a small environment: PATH, LANG=C.UTF-8/LC_ALL=C, plus ProcessSpec::environment; nothing of
//     ORION's own environment (tokens, ORION_* settings) leaks into it.
// At the deadline the whole process group gets SIGTERM, then SIGKILL after kill_grace. When the
// command exits, whatever is left of its process group is killed too (a diagnostic must not
// leave anything running). The child is always reaped: no zombie is left behind.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/json.h"
#include "common/status.h"

namespace orion::commander {

struct ProcessSpec {
  std::vector<std::string> argv;  // at least argv[0]
  MonoTime deadline;              // on the Clock given to runProcess
  size_t max_output = 64 * 1024;  // bytes of stdout+stderr kept; the rest is counted, dropped
  Duration kill_grace = std::chrono::seconds(2);  // SIGTERM → SIGKILL
  std::vector<std::string> environment;           // extra "NAME=value" entries
};

struct ProcessResult {
  std::string executable;        // the resolved path that ran
  std::optional<int> exit_code;  // set when it exited
  std::optional<int> signal;     // set when a signal ended it
  bool timed_out = false;        // the deadline passed and it was killed
  std::string output;            // stdout+stderr, at most max_output bytes
  bool truncated = false;        // more output than max_output was written
  size_t output_bytes = 0;       // everything written, kept or not
  Duration elapsed{};

  bool exitedWith(int code) const { return exit_code && *exit_code == code && !timed_out; }
  // "exit code 1", "killed by signal 9 (timed out)".
  std::string describe() const;
  // {executable, exit_code|signal, timed_out, output, truncated, output_bytes, elapsed_ms}.
  Json toJson() const;
};

// Resolves argv[0] as the child would run it. kNotFound when no executable file matches,
// kInvalidArgument for an empty name or a relative path.
Result<std::string> resolveExecutable(const std::string& name);

// Runs `spec`. The result describes how the command ended (a non-zero exit is not an error
// here). Errors: kInvalidArgument (empty argv, relative path), kNotFound (no such executable),
// kInternal (pipe or spawn failed). Nothing is left running or unreaped on any path.
Result<ProcessResult> runProcess(const ProcessSpec& spec, const Clock& clock);

}  // namespace orion::commander
