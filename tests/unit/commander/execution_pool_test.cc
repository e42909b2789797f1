// The commander's execution workers (execution_pool.h): jobs on different targets run side by
// side, jobs on one target one at a time and in order, drain() finishes everything submitted;
// and the commander with workers judges the next decision while a slow action still runs.
#include "commander/execution_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <vector>

#include "commander/commander.h"
#include "common/ids.h"
#include "testing/decision_documents.h"
#include "testing/fake_bus.h"
#include "testing/temp_dir.h"
#include "testing/wait.h"

namespace orion::commander {
namespace {

using namespace std::chrono_literals;
using orion::testing::waitUntil;

// A latch the test opens: jobs wait on it.
class Gate {
 public:
  void wait() { opened_.wait(); }
  void open() { promise_.set_value(); }

 private:
  std::promise<void> promise_;
  std::shared_future<void> opened_ = promise_.get_future().share();
};

TEST(ExecutionPool, JobsOnDifferentTargetsRunSideBySide) {
  ExecutionPool pool(2);
  Gate gate;
  std::atomic<int> started{0};
  for (const char* key : {"jellyfin", "sonarr"}) {
    ASSERT_TRUE(pool.submit(key,
                            [&] {
                              ++started;
                              gate.wait();
                            })
                    .isOk());
  }
  EXPECT_TRUE(waitUntil([&] { return started == 2; }, 5s)) << "both run while neither finished";
  EXPECT_EQ(pool.inProgress(), 2u);
  gate.open();
  pool.drain();
  EXPECT_EQ(pool.inProgress(), 0u);
}

TEST(ExecutionPool, JobsOnOneTargetRunOneAtATimeInOrder) {
  ExecutionPool pool(3);
  Gate gate;
  std::mutex mutex;
  std::vector<int> order;
  std::atomic<int> running{0};
  std::atomic<int> most{0};
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(pool.submit("jellyfin",
                            [&, i] {
                              int now = ++running;
                              most = std::max(most.load(), now);
                              if (i == 0) gate.wait();
                              {
                                std::lock_guard lock(mutex);
                                order.push_back(i);
                              }
                              --running;
                            })
                    .isOk());
  }
  // The first is running and blocked; the other two wait behind it, not running.
  ASSERT_TRUE(waitUntil([&] { return running == 1; }, 5s));
  EXPECT_EQ(pool.inProgress(), 3u);
  EXPECT_EQ(most.load(), 1);
  gate.open();
  pool.drain();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(most.load(), 1);
}

TEST(ExecutionPool, DrainFinishesWhatWasQueuedThenRefusesMore) {
  ExecutionPool pool(1);
  std::atomic<int> done{0};
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(pool.submit("", [&] { ++done; }).isOk());
  }
  pool.drain();
  EXPECT_EQ(done.load(), 5);
  EXPECT_EQ(pool.submit("x", [] {}).code(), StatusCode::kFailedPrecondition);
}

// restart_container that blocks on `gate` for the service named "slow".
class SlowRestart final : public Executor {
 public:
  SlowRestart(Gate& gate, std::atomic<int>& finished) : gate_(gate), finished_(finished) {}
  const ExecutorMetadata& metadata() const override { return metadata_; }
  Execution execute(const contracts::Action& action, const ExecutionContext&) override {
    if (action.parameters.value("service_name", "") == "slow") gate_.wait();
    ++finished_;
    Execution done = Execution::succeeded(Json{{"ran", action.action_type}});
    done.verified = true;
    return done;
  }

 private:
  Gate& gate_;
  std::atomic<int>& finished_;
  ExecutorMetadata metadata_{
      "restart_container", policy::DeclaredRisk::kReversible, false, false, true, "test"};
};

Json safeRestart(const std::string& service) {
  return orion::testing::decisionDocument("EXECUTE_SAFE_ACTION", "restart_container",
                                          Json{{"service_name", service}});
}

TEST(CommanderWorkers, ASlowActionDoesNotHoldUpTheNextDecisionAndStopFinishesIt) {
  orion::testing::TempDir dir;
  SimulatedClock clock;
  MetricsRegistry metrics;
  orion::testing::FakeBus bus;
  Gate gate;
  std::atomic<int> finished{0};
  CommanderOptions options;
  options.policy_dir = ORION_SOURCE_DIR "/policies";
  options.execution_workers = 2;
  std::vector<std::unique_ptr<Executor>> extra;
  extra.push_back(std::make_unique<SlowRestart>(gate, finished));
  auto commander = makeCommanderService(
      options, ModuleContext{bus, clock, metrics, "n", dir.path().string()}, std::move(extra));
  ASSERT_TRUE(commander->start().isOk());

  ASSERT_TRUE(bus.deliver("decision", safeRestart("slow")).isOk());
  ASSERT_TRUE(bus.deliver("decision", safeRestart("fast")).isOk())
      << "judged while the slow restart still runs";
  EXPECT_TRUE(waitUntil([&] { return bus.published("outcome").size() == 1; }, 5s))
      << "the fast one finished first";
  EXPECT_EQ(finished.load(), 1);
  EXPECT_EQ(metrics.read("orion_commander_executions_in_progress"), 1);

  // Stopping finishes the slow one (opened while, or just before, stop drains): its outcome is
  // published, nothing is left executing.
  std::thread opener([&] { gate.open(); });
  commander->stop(clock.monotonic());
  opener.join();
  EXPECT_EQ(finished.load(), 2);
  EXPECT_EQ(bus.published("outcome").size(), 2u);
  EXPECT_EQ(metrics.read("orion_commander_executions_in_progress"), 0);
}

}  // namespace
}  // namespace orion::commander
