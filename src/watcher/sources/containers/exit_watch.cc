#include "watcher/sources/containers/exit_watch.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <utility>

#include "common/thread_name.h"
#include "watcher/sources/containers/exit_status.h"

namespace orion::watcher::containers {
namespace {

constexpr uint64_t kWakeTag = 0;  // watches get tags from 1 up

std::string errnoText(const std::string& what) { return what + ": " + std::strerror(errno); }

Result<std::string> pidNamespaceOf(const std::string& process) {
  std::string link = "/proc/" + process + "/ns/pid";
  std::array<char, 128> target{};
  ssize_t length = ::readlink(link.c_str(), target.data(), target.size() - 1);
  if (length < 0) return unavailable(errnoText("readlink " + link));
  return std::string(target.data(), static_cast<size_t>(length));
}

}  // namespace

PidFd::PidFd(PidFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

PidFd& PidFd::operator=(PidFd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

PidFd::~PidFd() {
  if (fd_ >= 0) ::close(fd_);
}

ExitWatch::ExitWatch(OnExit on_exit) : on_exit_(std::move(on_exit)) {}

ExitWatch::~ExitWatch() { stop(); }

Status ExitWatch::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return Status::ok();
  epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_ < 0) return unavailable(errnoText("epoll_create1"));
  wake_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  epoll_event wake{};
  wake.events = EPOLLIN;
  wake.data.u64 = kWakeTag;
  if (wake_ < 0 || ::epoll_ctl(epoll_, EPOLL_CTL_ADD, wake_, &wake) != 0) {
    Status error = unavailable(errnoText("eventfd"));
    if (wake_ >= 0) ::close(wake_);
    ::close(epoll_);
    epoll_ = wake_ = -1;
    return error;
  }
  stopping_ = false;
  thread_ = std::thread([this] {
    nameThisThread("watch-exits");
    run();
  });
  return Status::ok();
}

void ExitWatch::stop() {
  if (!thread_.joinable()) return;
  stopping_ = true;
  uint64_t one = 1;
  (void)!::write(wake_, &one, sizeof(one));
  thread_.join();
  std::lock_guard lock(mutex_);
  watches_.clear();  // closes the pidfds
  keys_by_tag_.clear();
  ::close(wake_);
  ::close(epoll_);
  epoll_ = wake_ = -1;
}

Result<PidFd> ExitWatch::openProcess(int pid) {
  if (pid <= 0) return invalidArgument("pidfd_open: no pid");
  // glibc 2.36 has pidfd_open() in <sys/pidfd.h>, older ones only the system call.
  long fd = ::syscall(SYS_pidfd_open, pid, 0);
  if (fd < 0) return unavailable(errnoText("pidfd_open(" + std::to_string(pid) + ")"));
  return PidFd(static_cast<int>(fd));
}

Status ExitWatch::watch(const std::string& key, int pid, PidFd process) {
  std::lock_guard lock(mutex_);
  if (epoll_ < 0) return failedPrecondition("exit watch: not started");
  if (auto old = watches_.find(key); old != watches_.end()) forget(old);
  uint64_t tag = ++next_tag_;
  epoll_event readable{};
  readable.events = EPOLLIN;  // level-triggered: a process that already ended is reported at once
  readable.data.u64 = tag;
  if (::epoll_ctl(epoll_, EPOLL_CTL_ADD, process.get(), &readable) != 0) {
    return unavailable(errnoText("epoll_ctl(pidfd of " + std::to_string(pid) + ")"));
  }
  keys_by_tag_[tag] = key;
  watches_[key] = Watched{pid, std::move(process), tag};
  return Status::ok();
}

void ExitWatch::unwatch(const std::string& key) {
  std::lock_guard lock(mutex_);
  if (auto it = watches_.find(key); it != watches_.end()) forget(it);
}

PidFd ExitWatch::forget(std::map<std::string, Watched>::iterator it) {
  (void)::epoll_ctl(epoll_, EPOLL_CTL_DEL, it->second.process.get(), nullptr);
  keys_by_tag_.erase(it->second.tag);
  PidFd process = std::move(it->second.process);
  watches_.erase(it);
  return process;
}

std::optional<int> ExitWatch::watchedPid(const std::string& key) const {
  std::lock_guard lock(mutex_);
  auto it = watches_.find(key);
  if (it == watches_.end()) return std::nullopt;
  return it->second.pid;
}

size_t ExitWatch::size() const {
  std::lock_guard lock(mutex_);
  return watches_.size();
}

void ExitWatch::run() {
  std::array<epoll_event, 16> ready{};
  while (!stopping_) {
    int count = ::epoll_wait(epoll_, ready.data(), static_cast<int>(ready.size()), -1);
    if (count < 0 && errno != EINTR) return;  // only EBADF/EINVAL: the set is gone
    for (int i = 0; i < count; ++i) {
      std::string key;
      int pid = 0;
      PidFd process;
      {
        std::lock_guard lock(mutex_);
        auto tag = keys_by_tag_.find(ready[static_cast<size_t>(i)].data.u64);
        if (tag == keys_by_tag_.end()) continue;  // the wake-up, or a watch forgotten meanwhile
        key = tag->second;
        auto watched = watches_.find(key);
        pid = watched->second.pid;
        process = forget(watched);  // kept open to ask for the exit code
      }
      on_exit_(key, pid, exitCodeOf(process.get(), pid));
    }
  }
}

Status checkContainerProcess(int pid) {
  Result<std::string> ours = pidNamespaceOf("self");
  if (!ours) return ours.status();
  Result<std::string> theirs = pidNamespaceOf(std::to_string(pid));
  if (!theirs) return theirs.status();
  if (*ours == *theirs) {
    return failedPrecondition("process " + std::to_string(pid) +
                              " is in ORION's own pid namespace, not a container's");
  }
  return Status::ok();
}

}  // namespace orion::watcher::containers
