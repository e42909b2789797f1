// Signals for the daemon. SIGINT and SIGTERM (shut down) and SIGHUP (reload the policy) are
// blocked in every thread and waited for synchronously (sigtimedwait) instead of being handled
// asynchronously, so no module thread is ever interrupted by them and the shutdown or reload runs
// as ordinary code on the thread that waits.
//
// Construct a ShutdownSignals on the main thread before any other thread exists: threads inherit
// the blocked mask. Waiting may happen on any thread of the process.
#pragma once

#include <signal.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "common/clock.h"

namespace orion::daemon {

class ShutdownSignals {
 public:
  // Blocks SIGINT, SIGTERM and SIGHUP in the calling thread and ignores SIGPIPE (a client that
  // hangs up on the API must not kill the daemon).
  ShutdownSignals();
  // Restores the signal mask the calling thread had before.
  ~ShutdownSignals();
  ShutdownSignals(const ShutdownSignals&) = delete;
  ShutdownSignals& operator=(const ShutdownSignals&) = delete;

  // Waits up to `timeout` for SIGINT, SIGTERM or SIGHUP. Returns the signal number, or 0 when
  // none came.
  int wait(std::chrono::milliseconds timeout) const;

  // True for SIGINT and SIGTERM.
  static bool isShutdown(int signal) { return signal == SIGINT || signal == SIGTERM; }

  // "SIGINT", "SIGTERM", "SIGHUP", or "signal" for any other.
  static const char* name(int signal);

 private:
  sigset_t previous_mask_;
};

// Watches a shutdown in progress from a thread of its own (a SIGHUP then is ignored): a second
// SIGINT/SIGTERM, or the
// shutdown still running `budget + grace` after the guard was made, ends the process at once
// with exit code 1 (_exit: destructors would wait for the very threads that are stuck). What was
// acknowledged is already in the audit file by then. Destroying the guard (the shutdown
// finished) stops the watch.
class ShutdownGuard {
 public:
  ShutdownGuard(const ShutdownSignals& signals, const Clock& clock, Duration budget,
                Duration grace);
  ~ShutdownGuard();
  ShutdownGuard(const ShutdownGuard&) = delete;
  ShutdownGuard& operator=(const ShutdownGuard&) = delete;

 private:
  void watch(const ShutdownSignals& signals, const Clock& clock, MonoTime hard_deadline);

  std::atomic<bool> done_{false};
  std::thread thread_;
};

}  // namespace orion::daemon
