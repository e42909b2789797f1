#include "commander/process_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "common/time.h"

namespace orion::commander {
namespace {

constexpr const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

std::string errnoText(const char* what, int error) {
  return std::string(what) + ": " + std::strerror(error);
}

bool isExecutableFile(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode) &&
         ::access(path.c_str(), X_OK) == 0;
}

int millisUntil(MonoTime deadline, const Clock& clock, int cap_ms) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock.monotonic());
  if (left.count() <= 0) return 0;
  return static_cast<int>(std::min<int64_t>(left.count(), cap_ms));
}

// Owns the read end of the output pipe and what came through it.
class OutputSink {
 public:
  OutputSink(int fd, size_t limit) : fd_(fd), limit_(limit) {}
  ~OutputSink() { closeFd(); }

  bool open() const { return fd_ >= 0; }

  // Waits up to `timeout_ms` for output and reads what is there; closes on EOF.
  void pump(int timeout_ms, ProcessResult& result) {
    if (fd_ < 0) {
      if (timeout_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(timeout_ms));
      return;
    }
    pollfd entry{fd_, POLLIN, 0};
    int ready = ::poll(&entry, 1, timeout_ms);
    if (ready <= 0) return;
    char buffer[8192];
    ssize_t got = ::read(fd_, buffer, sizeof buffer);
    if (got < 0 && (errno == EINTR || errno == EAGAIN)) return;
    if (got <= 0) {
      closeFd();
      return;
    }
    size_t size = static_cast<size_t>(got);
    result.output_bytes += size;
    size_t room = limit_ - std::min(limit_, result.output.size());
    result.output.append(buffer, std::min(room, size));
    if (size > room) result.truncated = true;
  }

 private:
  void closeFd() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  int fd_;
  size_t limit_;
};

// True once `pid` has exited; it stays a zombie (WNOWAIT) so its process group id cannot be
// reused before the group is killed.
bool hasExited(pid_t pid) {
  siginfo_t info{};
  info.si_pid = 0;
  int rc = ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT);
  return rc == 0 ? info.si_pid == pid : errno == ECHILD;
}

// Without a status (someone else reaped it, e.g. SIGCHLD ignored) neither exit_code nor signal is
// set, so the run never passes for a success.
void reap(pid_t pid, ProcessResult& result) {
  int status = 0;
  int rc = 0;
  while ((rc = ::waitpid(pid, &status, 0)) < 0 && errno == EINTR) {
  }
  if (rc != pid) return;
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
}

std::vector<std::string> childEnvironment(const ProcessSpec& spec) {
  const char* path = std::getenv("PATH");
  std::vector<std::string> env = {std::string("PATH=") + (path != nullptr ? path : kDefaultPath),
                                  "LANG=C.UTF-8", "LC_ALL=C"};
  env.insert(env.end(), spec.environment.begin(), spec.environment.end());
  return env;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (std::string& text : strings) out.push_back(text.data());
  out.push_back(nullptr);
  return out;
}

// posix_spawn with stdin /dev/null, stdout+stderr into `write_fd`, fds ≥ 3 closed, own group.
Result<pid_t> spawn(const std::string& executable, const ProcessSpec& spec, int write_fd) {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attributes;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attributes);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, write_fd, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, write_fd, STDERR_FILENO);
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  sigset_t no_signals;
  sigset_t default_signals;
  sigemptyset(&no_signals);
  sigfillset(&default_signals);
  sigdelset(&default_signals, SIGKILL);
  sigdelset(&default_signals, SIGSTOP);
  posix_spawnattr_setsigmask(&attributes, &no_signals);
  posix_spawnattr_setsigdefault(&attributes, &default_signals);
  posix_spawnattr_setpgroup(&attributes, 0);
  posix_spawnattr_setflags(&attributes,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  std::vector<std::string> argv = spec.argv;
  argv[0] = executable;
  std::vector<std::string> env = childEnvironment(spec);
  std::vector<char*> argv_pointers = pointers(argv);
  std::vector<char*> env_pointers = pointers(env);
  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, executable.c_str(), &actions, &attributes, argv_pointers.data(),
                         env_pointers.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (rc != 0) return internalError(errnoText(("starting " + executable).c_str(), rc));
  return pid;
}

}  // namespace

std::string ProcessResult::describe() const {
  std::string text = exit_code ? "exit code " + std::to_string(*exit_code)
                     : signal  ? "killed by signal " + std::to_string(*signal)
                               : "no exit status";
  if (timed_out) text += " (timed out)";
  return text;
}

Json ProcessResult::toJson() const {
  Json json{{"executable", executable},
            {"timed_out", timed_out},
            {"output", output},
            {"truncated", truncated},
            {"output_bytes", output_bytes},
            {"elapsed_ms", std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count()}};
  if (exit_code) json["exit_code"] = *exit_code;
  if (signal) json["signal"] = *signal;
  return json;
}

Result<std::string> resolveExecutable(const std::string& name) {
  if (name.empty()) return invalidArgument("empty command name");
  if (name.find('/') != std::string::npos) {
    if (name.front() != '/') {
      return invalidArgument("'" + name + "': expected an absolute path or a bare command name");
    }
    if (!isExecutableFile(name)) return notFound(name + ": no such executable file");
    return name;
  }
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr && *path != '\0' ? path : kDefaultPath;
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string dir = dirs.substr(start, end - start);
    // An empty or relative PATH entry would mean the current directory: never searched.
    if (!dir.empty() && dir.front() == '/') {
      std::string candidate = dir + "/" + name;
      if (isExecutableFile(candidate)) return candidate;
    }
    start = end + 1;
  }
  return notFound("'" + name + "' not found in PATH (" + dirs + ")");
}

Result<ProcessResult> runProcess(const ProcessSpec& spec, const Clock& clock) {
  if (spec.argv.empty()) return invalidArgument("empty argv");
  auto executable = resolveExecutable(spec.argv[0]);
  if (!executable) return executable.status();
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return internalError(errnoText("pipe", errno));
  MonoTime started = clock.monotonic();
  auto pid = spawn(*executable, spec, fds[1]);
  ::close(fds[1]);
  if (!pid) {
    ::close(fds[0]);
    return pid.status();
  }
  ProcessResult result;
  result.executable = *executable;
  OutputSink sink(fds[0], spec.max_output);
  while (!hasExited(*pid)) {
    if (clock.monotonic() >= spec.deadline) {
      result.timed_out = true;
      ::kill(-*pid, SIGTERM);
      MonoTime grace = clock.monotonic() + spec.kill_grace;
      while (!hasExited(*pid) && clock.monotonic() < grace) sink.pump(20, result);
      break;
    }
    sink.pump(std::max(1, millisUntil(spec.deadline, clock, 50)), result);
  }
  // Whatever is left of the group (a lingering child, or the command itself after SIGTERM) dies
  // now; the leader is still unreaped, so the group id cannot have been reused.
  ::kill(-*pid, SIGKILL);
  reap(*pid, result);
  // The pipe's other writers are gone: drain what they wrote (at most ~200 ms, in case one
  // escaped the group with setsid and kept the pipe open).
  for (int round = 0; sink.open() && round < 10; ++round) sink.pump(20, result);
  result.elapsed = clock.monotonic() - started;
  return result;
}

}  // namespace orion::commander
