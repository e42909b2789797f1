#include "daemon/signals.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>

#include "testing/wait.h"

namespace orion::daemon {
namespace {

using namespace std::chrono_literals;

TEST(ShutdownSignalsTest, BlockedSignalsAreWaitedForNotDelivered) {
  ShutdownSignals signals;
  EXPECT_EQ(signals.wait(0ms), 0);
  // raise() targets this thread, where the signal is now blocked: it stays pending (instead of
  // killing the test) until wait() takes it.
  ASSERT_EQ(raise(SIGTERM), 0);
  EXPECT_EQ(signals.wait(1000ms), SIGTERM);
  ASSERT_EQ(raise(SIGINT), 0);
  EXPECT_EQ(signals.wait(1000ms), SIGINT);
  ASSERT_EQ(raise(SIGHUP), 0);  // the policy reload request is waited for the same way
  EXPECT_EQ(signals.wait(1000ms), SIGHUP);
  EXPECT_EQ(signals.wait(1ms), 0);
}

TEST(ShutdownSignalsTest, RestoresTheMaskItFound) {
  sigset_t before;
  ASSERT_EQ(pthread_sigmask(SIG_BLOCK, nullptr, &before), 0);
  ASSERT_FALSE(sigismember(&before, SIGTERM));
  {
    ShutdownSignals signals;
    sigset_t during;
    ASSERT_EQ(pthread_sigmask(SIG_BLOCK, nullptr, &during), 0);
    EXPECT_TRUE(sigismember(&during, SIGTERM));
    EXPECT_TRUE(sigismember(&during, SIGINT));
  }
  sigset_t after;
  ASSERT_EQ(pthread_sigmask(SIG_BLOCK, nullptr, &after), 0);
  EXPECT_FALSE(sigismember(&after, SIGTERM));
  EXPECT_FALSE(sigismember(&after, SIGINT));
}

TEST(ShutdownSignalsTest, Names) {
  EXPECT_STREQ(ShutdownSignals::name(SIGINT), "SIGINT");
  EXPECT_STREQ(ShutdownSignals::name(SIGTERM), "SIGTERM");
  EXPECT_STREQ(ShutdownSignals::name(SIGHUP), "SIGHUP");
  EXPECT_STREQ(ShutdownSignals::name(SIGUSR1), "signal");
  EXPECT_TRUE(ShutdownSignals::isShutdown(SIGTERM));
  EXPECT_FALSE(ShutdownSignals::isShutdown(SIGHUP)) << "SIGHUP reloads, it does not stop";
}

// The guard ends the process, so these run in a child (gtest death tests); "threadsafe" re-runs
// the test binary instead of forking a process that has threads.
class ShutdownGuardDeathTest : public ::testing::Test {
 protected:
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
};

TEST_F(ShutdownGuardDeathTest, SecondSignalDuringShutdownExitsWithOne) {
  EXPECT_EXIT(
      {
        ShutdownSignals signals;
        RealClock clock;
        ShutdownGuard guard(signals, clock, 60s, 0s);
        kill(getpid(), SIGINT);  // process-directed: only the guard's wait can take it
        testing::waitUntil([] { return false; }, 20s);
        std::exit(0);
      },
      ::testing::ExitedWithCode(1), "second SIGINT during shutdown");
}

TEST_F(ShutdownGuardDeathTest, ShutdownPastBudgetAndGraceExitsWithOne) {
  EXPECT_EXIT(
      {
        ShutdownSignals signals;
        SimulatedClock clock;
        ShutdownGuard guard(signals, clock, 4500ms, 400ms);
        clock.advance(4901ms);
        testing::waitUntil([] { return false; }, 20s);
        std::exit(0);
      },
      ::testing::ExitedWithCode(1), "overran its budget");
}

TEST(ShutdownGuardTest, AShutdownWithinTheBudgetEndsTheWatchQuietly) {
  ShutdownSignals signals;
  SimulatedClock clock;
  {
    ShutdownGuard guard(signals, clock, 4500ms, 400ms);
    clock.advance(4900ms);  // exactly at the hard deadline: not past it
  }
  SUCCEED();
}

TEST(ShutdownGuardTest, ASighupDuringShutdownIsIgnored) {
  ShutdownSignals signals;
  SimulatedClock clock;
  {
    ShutdownGuard guard(signals, clock, 4500ms, 400ms);
    ASSERT_EQ(kill(getpid(), SIGHUP), 0);  // to the process: the guard's thread takes it
    EXPECT_TRUE(testing::waitUntil([] {
      sigset_t pending;
      sigpending(&pending);
      return !sigismember(&pending, SIGHUP);
    }));
  }
  SUCCEED() << "the guard did not end the process";
}

}  // namespace
}  // namespace orion::daemon
