// The containers source's process-exit watch against real child processes this test forks: an
// exit is reported once, with its key and pid, even when the process ended before it was watched;
// an unwatched or replaced watch reports nothing; a pid is refused where no process is.
#include "watcher/sources/containers/exit_watch.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mutex>
#include <vector>

#include "testing/wait.h"

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

  std::mutex mutex_;
  std::vector<std::pair<std::string, int>> exits_;
  ExitWatch watch_{[this](const std::string& key, int pid) {
    std::lock_guard lock(mutex_);
    exits_.emplace_back(key, pid);
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
}

TEST_F(ExitWatchTest, UnwatchedAndReplacedWatchesReportNothing) {
  Child forgotten;
  Child replaced;
  Child current;
  ASSERT_TRUE(watch("a", forgotten).isOk());
  ASSERT_TRUE(watch("b", replaced).isOk());
  ASSERT_TRUE(watch("b", current).isOk());  // the container restarted with a new process
  EXPECT_EQ(watch_.watchedPid("b"), current.pid());
  watch_.unwatch("a");
  EXPECT_EQ(watch_.size(), 1u);

  forgotten.kill();
  forgotten.reap();
  replaced.kill();
  replaced.reap();
  current.kill();
  ASSERT_TRUE(exited("b"));
  EXPECT_EQ(exits(), (std::vector<std::pair<std::string, int>>{{"b", current.pid()}}));
}

TEST_F(ExitWatchTest, NoProcessNoWatch) {
  Child child;
  child.kill();
  child.reap();
  Result<PidFd> gone = ExitWatch::openProcess(child.pid());  // reaped: nothing has that pid now
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(gone.status().message().find("pidfd_open"), std::string::npos);
  EXPECT_FALSE(ExitWatch::openProcess(0));
}

TEST_F(ExitWatchTest, WatchingNeedsAStartedWatch) {
  ExitWatch idle([](const std::string&, int) {});
  Child child;
  Result<PidFd> process = ExitWatch::openProcess(child.pid());
  ASSERT_TRUE(process);
  EXPECT_EQ(idle.watch("x", child.pid(), std::move(process).value()).code(),
            StatusCode::kFailedPrecondition);
}

TEST_F(ExitWatchTest, StopEndsTheThreadAndForgetsEveryWatch) {
  Child child;
  ASSERT_TRUE(watch("web", child).isOk());
  watch_.stop();
  EXPECT_EQ(watch_.size(), 0u);
  child.kill();
  child.reap();
  EXPECT_TRUE(exits().empty());
  ASSERT_TRUE(watch_.start().isOk()) << "a stopped watch starts again";
  Child again;
  ASSERT_TRUE(watch("web", again).isOk());
  again.kill();
  EXPECT_TRUE(exited("web"));
}

TEST(ContainerProcessTest, AProcessInOurOwnPidNamespaceIsNotAContainers) {
  Child child;
  Status ours = checkContainerProcess(child.pid());
  EXPECT_EQ(ours.code(), StatusCode::kFailedPrecondition) << ours.toString();
  EXPECT_EQ(checkContainerProcess(::getpid()).code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace orion::watcher::containers
