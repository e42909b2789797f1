#include "commander/process_runner.h"

#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testing/temp_dir.h"

namespace orion::commander {
namespace {

using namespace std::chrono_literals;

RealClock clock_;

ProcessSpec spec(std::vector<std::string> argv, Duration timeout = 10s) {
  ProcessSpec made;
  made.argv = std::move(argv);
  made.deadline = clock_.monotonic() + timeout;
  made.kill_grace = 500ms;
  return made;
}

// True when this process has no child left to reap (zombie or running).
bool noChildren() {
  siginfo_t info{};
  return ::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) < 0 && errno == ECHILD;
}

TEST(ProcessRunnerTest, TrueAndFalseGiveTheirExitCodes) {
  auto ok = runProcess(spec({"/bin/true"}), clock_);
  ASSERT_TRUE(ok) << ok.status().message();
  EXPECT_TRUE(ok->exitedWith(0));
  EXPECT_EQ(ok->executable, "/bin/true");
  auto bad = runProcess(spec({"false"}), clock_);  // found in PATH
  ASSERT_TRUE(bad) << bad.status().message();
  EXPECT_TRUE(bad->exitedWith(1)) << bad->describe();
  EXPECT_EQ(bad->executable.front(), '/');
  EXPECT_TRUE(noChildren());
}

TEST(ProcessRunnerTest, CapturesStdoutAndStderrWithoutAShell) {
  // The '$HOME; echo' would be expanded by a shell; as one argv element it is printed as is.
  auto result = runProcess(spec({"/bin/echo", "a $HOME; echo b", "|", "x"}), clock_);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->output, "a $HOME; echo b | x\n");
  auto both = runProcess(spec({"/bin/sh", "-c", "echo out; echo err >&2; exit 3"}), clock_);
  ASSERT_TRUE(both);
  EXPECT_TRUE(both->exitedWith(3));
  EXPECT_EQ(both->output, "out\nerr\n");
  EXPECT_FALSE(both->truncated);
}

TEST(ProcessRunnerTest, StdinIsEmptyAndEnvironmentIsMinimal) {
  ::setenv("ORION_SECRET_FOR_TEST", "hunter2", 1);
  auto result = runProcess(spec({"/bin/sh", "-c", "cat; env"}), clock_);
  ::unsetenv("ORION_SECRET_FOR_TEST");
  ASSERT_TRUE(result);
  EXPECT_TRUE(result->exitedWith(0));
  EXPECT_EQ(result->output.find("hunter2"), std::string::npos) << result->output;
  EXPECT_NE(result->output.find("PATH="), std::string::npos);
}

TEST(ProcessRunnerTest, NoDescriptorLeaksIntoTheChild) {
  // Deliberately without O_CLOEXEC, and high, away from the fd ls opens to list the directory.
  int opened = ::open("/dev/null", O_RDONLY);
  ASSERT_GE(opened, 0);
  int leaky = ::fcntl(opened, F_DUPFD, 50);
  ::close(opened);
  ASSERT_GE(leaky, 50);
  auto result = runProcess(spec({"/bin/ls", "/proc/self/fd"}), clock_);
  ::close(leaky);
  ASSERT_TRUE(result);
  std::string listed = result->output;
  EXPECT_EQ(listed.find(std::to_string(leaky) + "\n"), std::string::npos)
      << "fd " << leaky << " leaked: " << listed;
}

TEST(ProcessRunnerTest, KillsTheProcessGroupAtTheDeadline) {
  testing::TempDir dir;
  auto marker = dir.path() / "survived";
  MonoTime before = clock_.monotonic();
  // The shell's child (sleep) is in the same group: both die.
  auto result =
      runProcess(spec({"/bin/sh", "-c", "sleep 5; touch " + marker.string()}, 300ms), clock_);
  ASSERT_TRUE(result);
  EXPECT_TRUE(result->timed_out);
  EXPECT_FALSE(result->exit_code);
  EXPECT_EQ(result->signal, SIGTERM);
  EXPECT_LT(clock_.monotonic() - before, 3s);
  EXPECT_TRUE(noChildren());
  EXPECT_FALSE(std::filesystem::exists(marker));
}

TEST(ProcessRunnerTest, SigkillWhenSigtermIsIgnored) {
  auto result =
      runProcess(spec({"/bin/sh", "-c", "trap '' TERM; sleep 5 & wait; sleep 5"}, 200ms), clock_);
  ASSERT_TRUE(result);
  EXPECT_TRUE(result->timed_out);
  EXPECT_EQ(result->signal, SIGKILL);
  EXPECT_TRUE(noChildren());
}

TEST(ProcessRunnerTest, LingeringChildrenOfAFinishedCommandAreKilled) {
  MonoTime before = clock_.monotonic();
  auto result = runProcess(spec({"/bin/sh", "-c", "sleep 30 & echo started"}), clock_);
  ASSERT_TRUE(result);
  EXPECT_TRUE(result->exitedWith(0));
  EXPECT_EQ(result->output, "started\n");
  EXPECT_LT(clock_.monotonic() - before, 3s);
}

TEST(ProcessRunnerTest, OutputIsTruncatedAtTheLimitAndSaysSo) {
  ProcessSpec big = spec({"/bin/sh", "-c",
                          "i=0; while [ $i -lt 2000 ]; do echo 0123456789; "
                          "i=$((i+1)); done"});
  big.max_output = 1000;
  auto result = runProcess(big, clock_);
  ASSERT_TRUE(result);
  EXPECT_TRUE(result->exitedWith(0));
  EXPECT_EQ(result->output.size(), 1000u);
  EXPECT_TRUE(result->truncated);
  EXPECT_EQ(result->output_bytes, 22000u);
  Json json = result->toJson();
  EXPECT_EQ(json["truncated"], true);
  EXPECT_EQ(json["exit_code"], 0);
}

TEST(ProcessRunnerTest, MissingOrRelativeExecutablesAreErrors) {
  auto missing = runProcess(spec({"/nonexistent/tool"}), clock_);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  auto unknown = runProcess(spec({"no-such-command-orion"}), clock_);
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  auto relative = runProcess(spec({"bin/true"}), clock_);
  EXPECT_EQ(relative.status().code(), StatusCode::kInvalidArgument);
  auto empty = runProcess(spec({}), clock_);
  EXPECT_EQ(empty.status().code(), StatusCode::kInvalidArgument);
  auto directory = runProcess(spec({"/bin"}), clock_);
  EXPECT_EQ(directory.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace orion::commander
