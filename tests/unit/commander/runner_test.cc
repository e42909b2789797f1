// One action's execution: retries of transient failures only, dry run, errors on failure.
#include "commander/runner.h"

#include <gtest/gtest.h>

#include <vector>

#include "common/ids.h"

namespace orion::commander {
namespace {

class ScriptedExecutor final : public Executor {
 public:
  ScriptedExecutor(std::vector<ExecutionStatus> script, bool dry_run_support)
      : script_(std::move(script)), metadata_{"restart_container",
                                              policy::DeclaredRisk::kReversible,
                                              true,
                                              dry_run_support,
                                              false,
                                              "test"} {}
  const ExecutorMetadata& metadata() const override { return metadata_; }
  Execution execute(const contracts::Action&, const ExecutionContext& context) override {
    dry_runs += context.dry_run ? 1 : 0;
    ExecutionStatus next = script_.at(std::min(calls++, script_.size() - 1));
    if (next == ExecutionStatus::kSucceeded) return Execution::succeeded(Json{{"ok", true}});
    return Execution::failed("ENGINE_UNAVAILABLE", "no answer", next);
  }
  size_t calls = 0;
  int dry_runs = 0;

 private:
  std::vector<ExecutionStatus> script_;
  ExecutorMetadata metadata_;
};

contracts::Action action() {
  contracts::Action a;
  a.action_id = newUuid();
  a.decision_id = newUuid();
  a.action_type = "restart_container";
  return a;
}

RunOptions quick(int attempts, bool dry_run = false) {
  return RunOptions{std::chrono::seconds(10), attempts, std::chrono::milliseconds(1), dry_run};
}

TEST(RunnerTest, RetryableFailuresAreRetriedUpToMaxAttempts) {
  SimulatedClock clock;
  ScriptedExecutor flaky({ExecutionStatus::kRetryable, ExecutionStatus::kSucceeded}, true);
  auto outcome = runAction(action(), flaky, quick(3), clock, [] { return newUuid(); });
  EXPECT_EQ(outcome.status, contracts::OutcomeStatus::kSucceeded);
  EXPECT_EQ(flaky.calls, 2u);
  EXPECT_EQ(outcome.result->at("attempts").size(), 2u);

  ScriptedExecutor down({ExecutionStatus::kRetryable}, true);
  outcome = runAction(action(), down, quick(2), clock, [] { return newUuid(); });
  EXPECT_EQ(outcome.status, contracts::OutcomeStatus::kFailed);
  EXPECT_EQ(down.calls, 2u);
  ASSERT_TRUE(outcome.error.has_value());
  EXPECT_EQ(outcome.error->code, "ENGINE_UNAVAILABLE");
}

TEST(RunnerTest, AFinalFailureIsNotRetried) {
  SimulatedClock clock;
  ScriptedExecutor broken({ExecutionStatus::kFailed}, true);
  auto outcome = runAction(action(), broken, quick(5), clock, [] { return newUuid(); });
  EXPECT_EQ(outcome.status, contracts::OutcomeStatus::kFailed);
  EXPECT_EQ(broken.calls, 1u);
}

TEST(RunnerTest, DryRunCallsOnlyExecutorsThatSupportIt) {
  SimulatedClock clock;
  ScriptedExecutor supports({ExecutionStatus::kSucceeded}, true);
  auto outcome = runAction(action(), supports, quick(1, true), clock, [] { return newUuid(); });
  EXPECT_EQ(supports.dry_runs, 1);
  EXPECT_EQ(outcome.result->at("dry_run"), true);

  ScriptedExecutor cannot({ExecutionStatus::kSucceeded}, false);
  outcome = runAction(action(), cannot, quick(1, true), clock, [] { return newUuid(); });
  EXPECT_EQ(cannot.calls, 0u);
  EXPECT_EQ(outcome.status, contracts::OutcomeStatus::kSucceeded);
  EXPECT_EQ(outcome.result->at("dry_run"), true);
}

}  // namespace
}  // namespace orion::commander
