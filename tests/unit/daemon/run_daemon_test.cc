// runDaemon with the real modules: the exit codes of the paths a test can reach without signals
// (the signal paths are covered by the e2e tests, which start the real binary).
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "daemon/supervisor.h"
#include "testing/temp_dir.h"
#include "testing/wait.h"

namespace orion::daemon {
namespace {

using namespace std::chrono_literals;

class RunDaemonTest : public ::testing::Test {
 protected:
  RunDaemonTest() {
    config_.state_dir = (dir_.path() / "state").string();
    config_.watcher.host.interval = 50ms;
  }
  testing::TempDir dir_;
  config::Config config_;
  RunOptions options_{.modules = {}, .live_summary = false};
};

TEST_F(RunDaemonTest, TlsRedisBusUrlExitsWithTwoAndCreatesNothing) {
  config_.bus.url = "rediss://127.0.0.1:6379";
  std::atomic<bool> stop{true};
  EXPECT_EQ(runDaemon(config_, options_, &stop), 2);
  EXPECT_FALSE(std::filesystem::exists(config_.state_dir));
}

TEST_F(RunDaemonTest, RunsUntilStopIsRequestedThenExitsZero) {
  std::atomic<bool> stop{false};
  int code = -1;
  std::thread daemon([&] { code = runDaemon(config_, options_, &stop); });
  // The audit file appears once memory has started.
  bool started = testing::waitUntil(
      [&] { return std::filesystem::exists(dir_.path() / "state" / "audit"); }, 10s);
  stop.store(true);
  daemon.join();
  EXPECT_TRUE(started);
  EXPECT_EQ(code, 0);
}

TEST_F(RunDaemonTest, ModuleThatCannotStartExitsWithOne) {
  config_.api.enabled = true;
  config_.api.listen = "0.0.0.0:0";  // refused: the API must stay on loopback
  std::atomic<bool> stop{true};
  EXPECT_EQ(runDaemon(config_, options_, &stop), 1);
}

TEST_F(RunDaemonTest, ApiOnLoopbackStartsAndStops) {
  config_.api.enabled = true;
  config_.api.listen = "127.0.0.1:0";
  std::atomic<bool> stop{true};
  EXPECT_EQ(runDaemon(config_, options_, &stop), 0);
}

}  // namespace
}  // namespace orion::daemon
