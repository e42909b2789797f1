#include "common/thread_priority.h"

#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

namespace orion {
namespace {

constexpr int kLowestNice = 19;

}  // namespace

Status lowerThisThreadPriority(int increment) {
  auto self = static_cast<id_t>(::gettid());
  errno = 0;
  int nice = ::getpriority(PRIO_PROCESS, self);  // -1 is a valid value: errno tells
  if (errno != 0) return internalError(std::string("getpriority: ") + std::strerror(errno));
  nice = std::min(kLowestNice, nice + std::max(increment, 0));
  if (::setpriority(PRIO_PROCESS, self, nice) != 0) {
    return internalError(std::string("setpriority: ") + std::strerror(errno));
  }
  return Status::ok();
}

Status makeThisThreadIdle() {
  sched_param param{};
  param.sched_priority = 0;  // the only one SCHED_IDLE takes
  if (int error = ::pthread_setschedparam(::pthread_self(), SCHED_IDLE, &param); error != 0) {
    return internalError(std::string("pthread_setschedparam(SCHED_IDLE): ") + std::strerror(error));
  }
  return Status::ok();
}

}  // namespace orion
