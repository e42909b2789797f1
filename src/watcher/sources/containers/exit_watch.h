// The containers source's process-exit watch: one pidfd (pidfd_open(2)) per watched container's
// main process, all waited on by one thread with epoll, so an exit is known microseconds after
// the kernel ends the process — not when the engine's `die` event arrives (podman with its file
// events backend delivers that 0–250 ms later).
//
// A pid is only a number until a pidfd holds the process, so the caller guards the reuse race:
// read the pid (inspect), openProcess(), confirm with the engine that the container still runs
// with that pid, and only then watch() the pidfd. A process that ended between the open and
// watch() is reported at once: its pidfd is readable already.
//
// Threading: every method may be called from any thread. `on_exit(key, pid, exit_code)` runs on
// the watch's own thread, once per watched process that ended, after the watch has forgotten it
// and without its lock held (so it may call watch() and unwatch()). `exit_code` is the engines'
// convention (128 + signal when killed), or nullopt when the kernel could not tell (see
// exit_status.h). stop() joins that thread; no on_exit runs after it returns.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "common/status.h"

namespace orion::watcher::containers {

// Owns one pidfd (or nothing); closes it when destroyed.
class PidFd {
 public:
  PidFd() = default;
  explicit PidFd(int fd) : fd_(fd) {}
  PidFd(PidFd&& other) noexcept;
  PidFd& operator=(PidFd&& other) noexcept;
  PidFd(const PidFd&) = delete;
  PidFd& operator=(const PidFd&) = delete;
  ~PidFd();

  int get() const { return fd_; }

 private:
  int fd_ = -1;
};

class ExitWatch {
 public:
  using OnExit = std::function<void(const std::string& key, int pid, std::optional<int> exit_code)>;

  explicit ExitWatch(OnExit on_exit);
  ~ExitWatch();  // stop()
  ExitWatch(const ExitWatch&) = delete;
  ExitWatch& operator=(const ExitWatch&) = delete;

  // Creates the epoll set and starts the thread. kUnavailable (with errno's text) when the kernel
  // refuses; OK when already started.
  Status start();
  // Stops the thread and closes every pidfd. Idempotent.
  void stop();

  // pidfd_open(pid). kUnavailable with errno's text: ESRCH when no such process is visible (ORION
  // in another pid namespace, a remote engine), EPERM or ENOSYS when pidfds are not allowed.
  static Result<PidFd> openProcess(int pid);

  // Watches `process` (the pidfd of `pid`) under `key`, replacing any earlier watch of `key`.
  // kFailedPrecondition before start(), kUnavailable when epoll refuses the pidfd.
  Status watch(const std::string& key, int pid, PidFd process);
  // Forgets the watch of `key`, if any; its exit will not be reported.
  void unwatch(const std::string& key);

  // The pid watched under `key`, if any, and how many processes are watched.
  std::optional<int> watchedPid(const std::string& key) const;
  size_t size() const;

 private:
  struct Watched {
    int pid = 0;
    PidFd process;
    uint64_t tag = 0;  // the epoll data of its pidfd; never reused, so a stale wake-up is harmless
  };

  void run();
  // Ends the watch; returns its pidfd (closed unless the caller keeps it). mutex_ held.
  PidFd forget(std::map<std::string, Watched>::iterator it);

  OnExit on_exit_;
  mutable std::mutex mutex_;  // guards everything below except the thread itself
  std::map<std::string, Watched> watches_;
  std::map<uint64_t, std::string> keys_by_tag_;
  uint64_t next_tag_ = 0;
  int epoll_ = -1;
  int wake_ = -1;  // an eventfd: stop() writes to it to end epoll_wait
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

// OK when `pid` is in a pid namespace other than ORION's own, as a container's main process is.
// A process in ORION's namespace is not the container's (the engine's pids belong to another
// host or namespace: ORION in a container, a forwarded socket), so it must not be watched.
// kFailedPrecondition then; kUnavailable when /proc does not let us compare.
Status checkContainerProcess(int pid);

}  // namespace orion::watcher::containers
