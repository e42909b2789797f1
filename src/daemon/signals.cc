#include "daemon/signals.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>

#include "common/thread_name.h"

namespace orion::daemon {

namespace {

sigset_t handledSet() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  return set;
}

}  // namespace

ShutdownSignals::ShutdownSignals() {
  sigset_t set = handledSet();
  pthread_sigmask(SIG_BLOCK, &set, &previous_mask_);
  signal(SIGPIPE, SIG_IGN);
}

ShutdownSignals::~ShutdownSignals() { pthread_sigmask(SIG_SETMASK, &previous_mask_, nullptr); }

int ShutdownSignals::wait(std::chrono::milliseconds timeout) const {
  sigset_t set = handledSet();
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(timeout);
  timespec wait_for{};
  wait_for.tv_sec = seconds.count();
  wait_for.tv_nsec =
      std::chrono::duration_cast<std::chrono::nanoseconds>(timeout - seconds).count();
  // EAGAIN (timeout) and EINTR (another signal, e.g. a debugger's) both mean "nothing yet"; the
  // caller loops, which keeps every wait bounded.
  int signal = sigtimedwait(&set, nullptr, &wait_for);
  return signal > 0 ? signal : 0;
}

const char* ShutdownSignals::name(int signal) {
  switch (signal) {
    case SIGINT:
      return "SIGINT";
    case SIGTERM:
      return "SIGTERM";
    case SIGHUP:
      return "SIGHUP";
    default:
      return "signal";
  }
}

ShutdownGuard::ShutdownGuard(const ShutdownSignals& signals, const Clock& clock, Duration budget,
                             Duration grace) {
  MonoTime hard_deadline = clock.monotonic() + budget + grace;
  thread_ = std::thread([this, &signals, &clock, hard_deadline] {
    nameThisThread("shutdown-guard");
    watch(signals, clock, hard_deadline);
  });
}

ShutdownGuard::~ShutdownGuard() {
  done_.store(true);
  thread_.join();
}

void ShutdownGuard::watch(const ShutdownSignals& signals, const Clock& clock,
                          MonoTime hard_deadline) {
  while (!done_.load()) {
    if (int signal = signals.wait(std::chrono::milliseconds(50));
        ShutdownSignals::isShutdown(signal)) {
      std::fprintf(stderr, "orion: second %s during shutdown, exiting now\n",
                   ShutdownSignals::name(signal));
      _exit(1);
    }
    if (clock.monotonic() > hard_deadline) {
      std::fprintf(stderr,
                   "orion: shutdown overran its budget and is still running, exiting now\n");
      _exit(1);
    }
  }
}

}  // namespace orion::daemon
