// The exit code of a process the exit watch saw end. ORION is not its parent (the engine's shim
// or conmon is, and reaps it within microseconds), so waitid() cannot tell; the kernel still can:
//   * PIDFD_GET_INFO with PIDFD_INFO_EXIT on the pidfd (Linux 6.15 and later), which keeps the
//     exit status for whoever holds a pidfd, before and after the process is reaped;
//   * on older kernels, field 52 (exit_code) of /proc/<pid>/stat while the process is a zombie,
//     trusted only if the pidfd shows it still unreaped after the read (so the pid was not reused).
// When both fail (an older kernel, and the parent reaped first) the code is unknown here and the
// engine's `die` event brings it later.
#pragma once

#include <optional>
#include <string_view>

namespace orion::watcher::containers {

// A wait status as the engines report an exit: the code of a normal exit, 128 + the signal for a
// process a signal ended (137 for SIGKILL, 143 for SIGTERM).
int containerExitCode(int wait_status);

// The wait status in the text of /proc/<pid>/stat if it describes a zombie (state Z), else
// nullopt (still running, or not that file's shape).
std::optional<int> waitStatusFromProcStat(std::string_view stat);

// Whether the running kernel keeps the exit status for a pidfd's holder after the process was
// reaped (Linux 6.15 or later); without it the code is known only if the exit watch is first.
bool kernelKeepsExitStatus();

// The two ways exitCodeOf() asks, each alone: the wait status from PIDFD_GET_INFO, or from the
// zombie's /proc/<pid>/stat (nullopt once reaped, or while `pid` still runs).
std::optional<int> waitStatusFromPidfd(int pidfd);
std::optional<int> waitStatusOfZombie(int pidfd, int pid);

// The container exit code of the ended process held by `pidfd` (pid `pid`), or nullopt when the
// kernel cannot tell any more (see above). Waits at most about 2 ms for the kernel to record it.
std::optional<int> exitCodeOf(int pidfd, int pid);

}  // namespace orion::watcher::containers
