#include "docker/cancellation.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>

namespace orion::docker {

Cancellation::Cancellation() : fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

Cancellation::~Cancellation() {
  if (fd_ >= 0) ::close(fd_);
}

void Cancellation::cancel() {
  flag_.store(true);
  if (fd_ >= 0) {
    uint64_t one = 1;
    // A full counter (after 2^64-1 cancels) cannot happen; the result is irrelevant either way.
    [[maybe_unused]] ssize_t written = ::write(fd_, &one, sizeof(one));
  }
}

bool Cancellation::cancelled() const { return flag_.load(); }

bool Cancellation::waitFor(std::chrono::nanoseconds timeout) const {
  if (cancelled()) return true;
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count();
  if (fd_ >= 0) {
    pollfd pfd{fd_, POLLIN, 0};
    ::poll(&pfd, 1, static_cast<int>(std::max<int64_t>(0, std::min<int64_t>(ms, 3'600'000))));
  } else {
    // No eventfd: sleep in short steps (still a bounded wait).
    for (int64_t waited = 0; waited < ms && !cancelled(); waited += 10) ::usleep(10'000);
  }
  return cancelled();
}

void Cancellation::reset() {
  flag_.store(false);
  if (fd_ >= 0) {
    uint64_t value = 0;
    [[maybe_unused]] ssize_t got = ::read(fd_, &value, sizeof(value));
  }
}

}  // namespace orion::docker
