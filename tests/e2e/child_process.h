// The real `orion` binary as a child process, for end-to-end tests: started with posix_spawn,
// its stdin read from a file (or /dev/null) and its stdout and stderr captured in files, with
// ORION_* variables of the test's own environment removed so only the test decides the config.
// Killed (SIGKILL) and reaped on destruction if still running.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace orion::testing {

class ChildProcess {
 public:
  struct Options {
    std::filesystem::path work_dir;                   // where stdout/stderr files are written
    std::optional<std::filesystem::path> stdin_file;  // default /dev/null
    std::vector<std::string> extra_env;               // "NAME=value"
  };

  // Starts `binary` with `args` (argv[1..]). Check started() / error().
  ChildProcess(const std::string& binary, const std::vector<std::string>& args, Options options);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  bool started() const { return pid_ > 0; }
  const std::string& error() const { return error_; }
  pid_t pid() const { return pid_; }

  // Sends `signal`; false when the child is gone.
  bool signal(int signal);
  // Waits up to `timeout` for the child to exit. Returns its exit code, 128+N when killed by
  // signal N, or nothing when it is still running.
  std::optional<int> waitExit(std::chrono::milliseconds timeout);
  // True until the child has been reaped.
  bool running();

  std::string out() const;  // everything written to stdout so far
  std::string err() const;  // everything written to stderr so far

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
  std::string error_;
  std::filesystem::path out_path_;
  std::filesystem::path err_path_;
};

// Runs the binary to completion (up to `timeout`) and returns its exit code (-1 on timeout).
struct RunResult {
  int code = -1;
  std::string out;
  std::string err;
};
RunResult runToCompletion(const std::string& binary, const std::vector<std::string>& args,
                          ChildProcess::Options options,
                          std::chrono::milliseconds timeout = std::chrono::seconds(20));

}  // namespace orion::testing
