#include "common/thread_name.h"

#include <pthread.h>

#include <algorithm>

namespace orion {
namespace {

// The kernel's limit (TASK_COMM_LEN 16, with the terminating NUL).
constexpr size_t kMaxNameLength = 15;

}  // namespace

void nameThisThread(std::string_view name) {
  std::string cut(name.substr(0, std::min(name.size(), kMaxNameLength)));
  pthread_setname_np(pthread_self(), cut.c_str());
}

std::string thisThreadName() {
  char name[kMaxNameLength + 1] = {};
  if (pthread_getname_np(pthread_self(), name, sizeof(name)) != 0) return "";
  return name;
}

}  // namespace orion
