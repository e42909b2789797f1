// The containers source's process-exit watch against real child processes this test forks: an
// exit is reported once, with its key, pid and exit code (also of a process another process
// reaps, as the engine's shim does a container's), even when the process ended before it was
// watched; an unwatched or replaced watch reports nothing; a pid is refused where no process is.
#include "watcher/sources/containers/exit_watch.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <mutex>
#include <optional>
#include <vector>

#include "testing/wait.h"
#include "watcher/sources/containers/exit_status.h"

namespace orion::watcher::containers {
namespace {

using orion::testing::waitUntil;

// A child that sleeps until killed (or, with `exit_now`, exits at once). Killed and reaped by the
// destructor.
class Child {
 public:
  explicit Child(bool exit_now = false) : pid_(::fork()) {
    if (pid_ == 0) {
      if (!exit_now) ::pause();
      ::_exit(0);
    }
  }
  ~Child() {
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      reap();
    }
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  int pid() const { return pid_; }
  void kill() const { ::kill(pid_, SIGKILL); }
  void reap() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    reaped_ = true;
  }

 private:
  int pid_;
  bool reaped_ = false;
};

class ExitWatchTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(watch_.start().isOk()); }

  Status watch(const std::string& key, const Child& child) {
    Result<PidFd> process = ExitWatch::openProcess(child.pid());
    if (!process) return process.status();
    return watch_.watch(key, child.pid(), std::move(process).value());
  }

  std::vector<std::pair<std::string, int>> exits() {
    std::lock_guard lock(mutex_);
    return exits_;
  }

  bool exited(const std::string& key) {
    return waitUntil([&] {
      for (const auto& [exited_key, pid] : exits()) {
        if (exited_key == key) return true;
      }
      return false;
    });
  }

  std::optional<int> exitCode(const std::string& key) {
    std::lock_guard lock(mutex_);
    return exit_codes_[key];
  }

  std::mutex mutex_;
  std::vector<std::pair<std::string, int>> exits_;
  std::map<std::string, std::optional<int>> exit_codes_;
  ExitWatch watch_{[this](const std::string& key, int pid, std::optional<int> exit_code) {
    std::lock_guard lock(mutex_);
    exits_.emplace_back(key, pid);
    exit_codes_[key] = exit_code;
  }};
};

TEST_F(ExitWatchTest, AnExitIsReportedOnceWithItsKeyAndPid) {
  Child child;
  ASSERT_TRUE(watch("web", child).isOk());
  EXPECT_EQ(watch_.watchedPid("web"), child.pid());
  EXPECT_EQ(watch_.size(), 1u);

  child.kill();
  ASSERT_TRUE(exited("web"));
  child.reap();
  EXPECT_EQ(exits(), (std::vector<std::pair<std::string, int>>{{"web", child.pid()}}));
  EXPECT_EQ(exitCode("web"), 137) << "128 + SIGKILL, as the engines say";
  EXPECT_EQ(watch_.size(), 0u) << "an exit is reported once, then forgotten";
  EXPECT_FALSE(watch_.watchedPid("web"));
}

TEST_F(ExitWatchTest, AProcessThatEndedBeforeTheWatchIsReportedAtOnce) {
  Child child(/*exit_now=*/true);
  Result<PidFd> process = ExitWatch::openProcess(child.pid());  // a zombie until reaped
  ASSERT_TRUE(process) << process.status().toString();
  ASSERT_TRUE(waitUntil([&] {
    siginfo_t info{};
    return ::waitid(P_PID, static_cast<id_t>(child.pid()), &info, WEXITED | WNOHANG | WNOWAIT) ==
               0 &&
           info.si_pid == child.pid();
  }));
  ASSERT_TRUE(watch_.watch("quick", child.pid(), std::move(process).value()).isOk());
  EXPECT_TRUE(exited("quick"));
  EXPECT_EQ(exitCode("quick"), 0);
}

// Like a container's main process under conmon or containerd-shim: its parent is not ORION and
// reaps it at once. The kernel still tells the pidfd's holder how it ended.
TEST_F(ExitWatchTest, TheExitCodeOfAProcessAnotherProcessReaps) {
  for (bool killed : {false, true}) {
    int pid_pipe[2];
    int go_pipe[2];  // the worker exits with 3 when the test closes its write end
    ASSERT_EQ(::pipe(pid_pipe), 0);
    ASSERT_EQ(::pipe(go_pipe), 0);
    pid_t parent = ::fork();
    if (parent == 0) {
      pid_t worker = ::fork();
      if (worker == 0) {
        ::close(go_pipe[1]);
        char byte = 0;
        (void)!::read(go_pipe[0], &byte, 1);
        ::_exit(3);
      }
      ::close(go_pipe[0]);
      ::close(go_pipe[1]);  // only the test may hold it open
      (void)!::write(pid_pipe[1], &worker, sizeof(worker));
      int status = 0;
      ::waitpid(worker, &status, 0);
      ::_exit(0);
    }
    ::close(go_pipe[0]);
    pid_t worker = 0;
    ASSERT_EQ(::read(pid_pipe[0], &worker, sizeof(worker)), static_cast<ssize_t>(sizeof(worker)));
    ::close(pid_pipe[0]);
    ::close(pid_pipe[1]);
    Result<PidFd> process = ExitWatch::openProcess(worker);
    ASSERT_TRUE(process) << process.status().toString();
    std::string key = killed ? "killed" : "exited";
    ASSERT_TRUE(watch_.watch(key, worker, std::move(process).value()).isOk());
    if (killed) ::kill(worker, SIGKILL);
    ::close(go_pipe[1]);
    ASSERT_TRUE(exited(key));
    int status = 0;
    ::waitpid(parent, &status, 0);
    std::optional<int> seen = exitCode(key);
    if (!seen && !kernelKeepsExitStatus()) {
      GTEST_SKIP() << "a kernel before 6.15 keeps no exit status once another parent reaped";
    }
    ASSERT_TRUE(seen) << "Linux 6.15+ keeps the exit status for the pidfd's holder";
    EXPECT_EQ(*seen, killed ? 137 : 3);
  }
}

TEST(ExitStatusTest, AWaitStatusIsTheEnginesExitCode) {
  EXPECT_EQ(containerExitCode(3 << 8), 3);  // exit(3)
  EXPECT_EQ(containerExitCode(0), 0);
  EXPECT_EQ(containerExitCode(SIGKILL), 137);
  EXPECT_EQ(containerExitCode(SIGTERM | 0x80), 143);  // killed, core dumped
}

TEST(ExitStatusTest, AZombiesProcStatHoldsItsWaitStatus) {
  std::string fields;  // fields 4 … 51, then exit_code (52)
  for (int field = 4; field <= 51; ++field) fields += " " + std::to_string(field);
  EXPECT_EQ(waitStatusFromProcStat("42 (busy) box) Z" + fields + " 9\n"), 9);
  EXPECT_EQ(waitStatusFromProcStat("42 (sh) Z" + fields + " 768"), 768);
  EXPECT_FALSE(waitStatusFromProcStat("42 (sh) S" + fields + " 0\n")) << "not ended yet";
  EXPECT_FALSE(waitStatusFromProcStat("42 (sh) Z 1 2 3")) << "too few fields";
  EXPECT_FALSE(waitStatusFromProcStat("42 (sh) Z" + fields + " x9"));
  EXPECT_FALSE(waitStatusFromProcStat("no parenthesis"));
  EXPECT_FALSE(waitStatusFromProcStat(""));
}

// The way older kernels are asked, tried here on a zombie this test has not reaped yet.
TEST(ExitStatusTest, AZombieIsAskedThroughProc) {
  pid_t child = ::fork();
  if (child == 0) ::_exit(7);
  Result<PidFd> process = ExitWatch::openProcess(child);
  ASSERT_TRUE(process) << process.status().toString();
  ASSERT_TRUE(waitUntil([&] {
    siginfo_t info{};
    return ::waitid(P_PID, static_cast<id_t>(child), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
           info.si_pid == child;
  }));
  std::optional<int> status = waitStatusOfZombie(process->get(), child);
  ASSERT_TRUE(status);
  EXPECT_EQ(containerExitCode(*status), 7);
  int reaped = 0;
  ::waitpid(child, &reaped, 0);
  EXPECT_FALSE(waitStatusOfZombie(process->get(), child)) << "reaped: the pid is nobody's";
  if (kernelKeepsExitStatus()) {
    ASSERT_TRUE(waitStatusFromPidfd(process->get()));
    EXPECT_EQ(containerExitCode(*waitStatusFromPidfd(process->get())), 7);
  }
}

TEST(ContainerProcessTest, AProcessInOurOwnPidNamespaceIsNotAContainers) {
  Child child;
  Status ours = checkContainerProcess(child.pid());
  EXPECT_EQ(ours.code(), StatusCode::kFailedPrecondition) << ours.toString();
  EXPECT_EQ(checkContainerProcess(::getpid()).code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace orion::watcher::containers
