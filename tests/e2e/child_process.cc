#include "child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <atomic>
#include <cstring>

#include "testing/temp_dir.h"
#include "testing/wait.h"

extern char** environ;

namespace orion::testing {

namespace {

std::vector<std::string> childEnvironment(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    if (std::strncmp(*entry, "ORION_", 6) != 0) env.emplace_back(*entry);
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

}  // namespace

ChildProcess::ChildProcess(const std::string& binary, const std::vector<std::string>& args,
                           Options options) {
  static std::atomic<int> counter{0};
  int n = counter.fetch_add(1);
  out_path_ = options.work_dir / ("child-" + std::to_string(n) + ".out");
  err_path_ = options.work_dir / ("child-" + std::to_string(n) + ".err");
  std::string in_path = options.stdin_file ? options.stdin_file->string() : "/dev/null";

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, in_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  posix_spawn_file_actions_addopen(&actions, 2, err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  // The child must not inherit a blocked SIGINT/SIGTERM from the test.
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK);

  std::vector<std::string> argv_strings{binary};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<std::string> env_strings = childEnvironment(options.extra_env);
  auto argv = pointers(argv_strings);
  auto envp = pointers(env_strings);
  int result = posix_spawn(&pid_, binary.c_str(), &actions, &attributes, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (result != 0) {
    error_ = "posix_spawn " + binary + ": " + std::strerror(result);
    pid_ = -1;
  }
}

ChildProcess::~ChildProcess() {
  if (running()) {
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
}

bool ChildProcess::signal(int signal) { return running() && kill(pid_, signal) == 0; }

bool ChildProcess::running() {
  if (pid_ <= 0 || exit_code_) return false;
  int status = 0;
  pid_t done = waitpid(pid_, &status, WNOHANG);
  if (done == 0) return true;
  if (done == pid_) {
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  } else {
    exit_code_ = -1;  // not our child any more: treat as gone
  }
  return false;
}

std::optional<int> ChildProcess::waitExit(std::chrono::milliseconds timeout) {
  waitUntil([&] { return !running(); }, timeout);
  return exit_code_;
}

std::string ChildProcess::out() const { return readFile(out_path_); }
std::string ChildProcess::err() const { return readFile(err_path_); }

RunResult runToCompletion(const std::string& binary, const std::vector<std::string>& args,
                          ChildProcess::Options options, std::chrono::milliseconds timeout) {
  ChildProcess child(binary, args, std::move(options));
  RunResult result;
  if (!child.started()) {
    result.err = child.error();
    return result;
  }
  result.code = child.waitExit(timeout).value_or(-1);
  result.out = child.out();
  result.err = child.err();
  return result;
}

}  // namespace orion::testing
