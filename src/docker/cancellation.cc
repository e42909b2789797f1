#include "docker/cancellation.h"

#include <sys/eventfd.h>
#include <unistd.h>

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

void Cancellation::reset() {
  flag_.store(false);
  if (fd_ >= 0) {
    uint64_t value = 0;
    [[maybe_unused]] ssize_t got = ::read(fd_, &value, sizeof(value));
  }
}

}  // namespace orion::docker
