#include "watcher/sources/containers/exit_status.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <thread>

namespace orion::watcher::containers {
namespace {

// The kernel's <linux/pidfd.h> (6.15) ABI. Debian 12's headers predate it, so it is spelled out
// here; the ioctl's size is that of version 0, which every later kernel still accepts.
struct PidfdInfo {
  uint64_t mask = 0;
  uint64_t cgroupid = 0;
  uint32_t pid = 0, tgid = 0, ppid = 0, ruid = 0, rgid = 0, euid = 0, egid = 0, suid = 0, sgid = 0,
           fsuid = 0, fsgid = 0;
  int32_t exit_code = 0;
};
static_assert(sizeof(PidfdInfo) == 64, "PIDFD_INFO_SIZE_VER0");
constexpr uint64_t kPidfdInfoExit = 1u << 3;
constexpr unsigned long kPidfdGetInfo = _IOWR(0xFF, 11, PidfdInfo);

enum class Answer { kKnown, kNotYet, kCannotTell };

Answer fromPidfdInfo(int pidfd, int& wait_status) {
  PidfdInfo info;
  info.mask = kPidfdInfoExit;
  if (::ioctl(pidfd, kPidfdGetInfo, &info) != 0) {
    // ENOTTY/EINVAL: a kernel without PIDFD_GET_INFO. ESRCH: reaped, on a kernel that keeps no
    // exit information. Either way this way cannot tell.
    return Answer::kCannotTell;
  }
  if ((info.mask & kPidfdInfoExit) == 0) return Answer::kNotYet;
  wait_status = info.exit_code;
  return Answer::kKnown;
}

Answer fromProcStat(int pidfd, int pid, int& wait_status) {
  std::string path = "/proc/" + std::to_string(pid) + "/stat";
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Answer::kCannotTell;  // reaped: the pid is nobody's now
  std::array<char, 1024> text{};
  ssize_t length = ::read(fd, text.data(), text.size());
  ::close(fd);
  if (length <= 0) return Answer::kCannotTell;
  std::optional<int> status =
      waitStatusFromProcStat(std::string_view(text.data(), static_cast<size_t>(length)));
  // Signal 0 to the pidfd succeeds while the process is unreaped (a zombie takes signals); then
  // the pid was still its own when the file was read.
  bool unreaped = ::syscall(SYS_pidfd_send_signal, pidfd, 0, nullptr, 0) == 0;
  if (!unreaped) return Answer::kCannotTell;
  if (!status) return Answer::kNotYet;
  wait_status = *status;
  return Answer::kKnown;
}

}  // namespace

int containerExitCode(int wait_status) {
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return WEXITSTATUS(wait_status);
}

std::optional<int> waitStatusFromProcStat(std::string_view stat) {
  // "pid (comm) S ppid ...": comm may hold spaces and parentheses, so fields are counted from
  // the last ')'. Field 3 (state) comes first there; field 52 (exit_code) is the 50th.
  size_t close = stat.rfind(')');
  if (close == std::string_view::npos) return std::nullopt;
  std::string_view rest = stat.substr(close + 1);
  int field = 2;
  std::string_view state;
  while (!rest.empty()) {
    size_t start = rest.find_first_not_of(" \n");
    if (start == std::string_view::npos) break;
    rest.remove_prefix(start);
    size_t end = rest.find_first_of(" \n");
    std::string_view value = rest.substr(0, end);
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end);
    ++field;
    if (field == 3) state = value;
    if (field == 52) {
      if (state != "Z") return std::nullopt;
      int status = 0;
      for (char digit : value) {
        if (digit < '0' || digit > '9') return std::nullopt;
        status = status * 10 + (digit - '0');
        if (status > 0xffff) return std::nullopt;
      }
      return value.empty() ? std::nullopt : std::optional<int>(status);
    }
  }
  return std::nullopt;
}

bool kernelKeepsExitStatus() {
  utsname name{};
  int major = 0;
  int minor = 0;
  if (::uname(&name) != 0 || std::sscanf(name.release, "%d.%d", &major, &minor) != 2) return false;
  return major > 6 || (major == 6 && minor >= 15);
}

std::optional<int> waitStatusFromPidfd(int pidfd) {
  int wait_status = 0;
  if (fromPidfdInfo(pidfd, wait_status) != Answer::kKnown) return std::nullopt;
  return wait_status;
}

std::optional<int> waitStatusOfZombie(int pidfd, int pid) {
  int wait_status = 0;
  if (fromProcStat(pidfd, pid, wait_status) != Answer::kKnown) return std::nullopt;
  return wait_status;
}

std::optional<int> exitCodeOf(int pidfd, int pid) {
  using namespace std::chrono_literals;
  for (int attempt = 0; attempt < 20; ++attempt) {
    int wait_status = 0;
    Answer info = fromPidfdInfo(pidfd, wait_status);
    if (info == Answer::kKnown) return containerExitCode(wait_status);
    Answer stat = fromProcStat(pidfd, pid, wait_status);
    if (stat == Answer::kKnown) return containerExitCode(wait_status);
    if (info == Answer::kCannotTell && stat == Answer::kCannotTell) return std::nullopt;
    std::this_thread::sleep_for(100us);  // the last thread is still on its way out
  }
  return std::nullopt;
}

}  // namespace orion::watcher::containers
