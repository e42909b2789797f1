// Restart: the brain's SafetyState written to its StateStore and loaded again is exactly the
// state before (cooldowns, rate windows, budget, breakers, ladders, in-flight actions, parked
// outcomes, decisions, followed incidents, autonomy, outbox), and decides the same.
#include <gtest/gtest.h>

#include "brain/brain_core.h"
#include "brain/state_io.h"
#include "core_fixture.h"

namespace orion::brain {
namespace {

using namespace std::chrono_literals;
using contracts::AutonomyLevel;
using contracts::DecisionType;
using contracts::OutcomeStatus;

class RestartTest : public testing::CoreFixture {
 protected:
  void SetUp() override {
    CoreFixture::SetUp();
    auto store = state::StateStore::open(dir_.path() / "brain" / "state.log");
    ASSERT_TRUE(store.isOk()) << store.status().message();
    store_ = std::move(store).value();
  }
  void flush() { ASSERT_TRUE(flushState(*store_, core_->state()).isOk()); }

  // A fresh core loaded from the same file, as after a restart.
  std::unique_ptr<BrainCore> restarted(AutonomyLevel configured) {
    store_.reset();
    auto store = state::StateStore::open(dir_.path() / "brain" / "state.log");
    EXPECT_TRUE(store.isOk()) << store.status().message();
    store_ = std::move(store).value();
    BrainCoreOptions options;
    options.configured = configured;
    auto core =
        std::make_unique<BrainCore>(options, [this] { return testing::countedUuid(++ids_); });
    EXPECT_TRUE(loadState(*store_, core->state()).isOk());
    return core;
  }

  std::unique_ptr<state::StateStore> store_;
};

TEST_F(RestartTest, RebuiltStateEqualsTheStateBefore) {
  // Something of every kind: executions (cooldown, rate, budget), an open breaker, a climbing
  // ladder, an action in flight, a parked outcome, a blocked incident waiting for a recheck, an
  // unpublished decision and a runtime autonomy change.
  makeCore(AutonomyLevel::kN2);
  for (std::string service : {"a", "b", "c"}) {
    auto decision = decideOne(testing::containerOutage(clock_.now(), service));
    execute(decision, OutcomeStatus::kFailed);
    decisions();  // the failure re-decided the incident
    flush();
    clock_.advance(20s);
  }
  auto running = decideOne(testing::containerOutage(clock_.now(), "d"));
  ASSERT_EQ(running.decision_type, DecisionType::kNoAction) << "the type breaker is open";
  auto jelly = decideOne(testing::makeIncident(
      {.type = "metric_anomaly",
       .severity = contracts::IncidentSeverity::kMedium,
       .tags = {{"metric", "disk_used_percent"}, {"resource", "/"}, {"target", "/"}}},
      clock_.now()));
  ASSERT_EQ(jelly.decision_type, DecisionType::kExecuteSafeAction);
  auto action = testing::actionFor(jelly, clock_.now());
  ASSERT_EQ(core_->onAction(action, *policy_, clock_.now()), ActionVerdict::kStarted);
  auto orphan = testing::outcomeFor(testing::actionFor(jelly, clock_.now()),
                                    OutcomeStatus::kSucceeded, clock_.now());
  ASSERT_EQ(core_->onOutcome(orphan, *policy_, clock_.now()), OutcomeVerdict::kParked);
  ASSERT_TRUE(
      core_->setAutonomy({"N3", "going further after a week", "uid 0", 0, 1, "root"}, clock_.now())
          .isOk());
  core_->onIncident(testing::containerOutage(clock_.now(), "e"), *policy_, clock_.now());
  ASSERT_FALSE(core_->state().outbox().empty()) << "left unpublished on purpose";
  flush();

  Json before = core_->state().snapshot();
  auto after = restarted(AutonomyLevel::kN2);
  EXPECT_EQ(after->state().snapshot(), before);
  EXPECT_EQ(after->level(), AutonomyLevel::kN3) << "the runtime level survives the restart";
  EXPECT_FALSE(before["breakers"].empty());
  EXPECT_FALSE(before["inflight"].empty());
  EXPECT_FALSE(before["orphans"].empty());
  EXPECT_FALSE(before["outbox"].empty());
  EXPECT_FALSE(before["cooldowns"].empty());
  EXPECT_FALSE(before["ladders"].empty());
  EXPECT_FALSE(before["budget"].empty());
}

TEST_F(RestartTest, ARestartNeverResetsACooldownOrReopensAClosedBreaker) {
  auto decision = decideOne(testing::containerOutage(clock_.now()));
  execute(decision, OutcomeStatus::kSucceeded);
  flush();
  clock_.advance(60s);
  auto core = restarted(AutonomyLevel::kN2);
  ASSERT_EQ(core->onIncident(testing::containerOutage(clock_.now()), *policy_, clock_.now()),
            IncidentVerdict::kDecided);
  auto decided = core->takeDecided();
  ASSERT_EQ(decided.size(), 1u);
  EXPECT_EQ(decided[0].decided_by, "action_cooldown");
}

TEST_F(RestartTest, TheRuntimeLevelGivesWayWhenTheConfigurationChanges) {
  makeCore(AutonomyLevel::kN0);
  ASSERT_TRUE(
      core_->setAutonomy({"N2", "let it restart containers", "uid 0", 0, 1, "root"}, clock_.now())
          .isOk());
  flush();
  EXPECT_EQ(restarted(AutonomyLevel::kN0)->level(), AutonomyLevel::kN2);
  EXPECT_EQ(restarted(AutonomyLevel::kN1)->level(), AutonomyLevel::kN1);
}

TEST_F(RestartTest, AnUnreadableValueIsDataLossNamingIt) {
  ASSERT_TRUE(store_->put("breakers", "type/restart_container", Json{{"failures", "nope"}}).isOk());
  SafetyState state;
  Status status = loadState(*store_, state);
  EXPECT_EQ(status.code(), StatusCode::kDataLoss);
  EXPECT_NE(status.message().find("'breakers' key 'type/restart_container'"), std::string::npos)
      << status.message();
}

}  // namespace
}  // namespace orion::brain
