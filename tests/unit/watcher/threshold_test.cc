#include "watcher/threshold.h"

#include <gtest/gtest.h>

#include <cmath>

#include "common/ids.h"
#include "common/time.h"
#include "contracts/registry.h"

namespace orion::watcher {
namespace {

const config::ThresholdConfig kBoth{80.0, 90.0};

Reading disk(double value) { return {"disk", "/srv", "disk_used_percent", "percent", value}; }

TEST(LevelTest, ValueAtAThresholdHasReachedIt) {
  EXPECT_EQ(levelFor(kBoth, 79.99), Level::kOk);
  EXPECT_EQ(levelFor(kBoth, 80.0), Level::kWarning);
  EXPECT_EQ(levelFor(kBoth, 89.99), Level::kWarning);
  EXPECT_EQ(levelFor(kBoth, 90.0), Level::kCritical);
  EXPECT_EQ(levelFor(kBoth, 150.0), Level::kCritical);
}

TEST(LevelTest, AbsentLevelsAreNeverReached) {
  EXPECT_EQ(levelFor({}, 1e9), Level::kOk);
  EXPECT_EQ(levelFor({std::nullopt, 90.0}, 85.0), Level::kOk);
  EXPECT_EQ(levelFor({std::nullopt, 90.0}, 95.0), Level::kCritical);
  EXPECT_EQ(levelFor({80.0, std::nullopt}, 95.0), Level::kWarning);
}

TEST(LevelTest, NotANumberNeverFires) { EXPECT_EQ(levelFor(kBoth, std::nan("")), Level::kOk); }

TEST(ThresholdTrackerTest, OkWarningCriticalOk) {
  ThresholdTracker tracker;
  EXPECT_FALSE(tracker.observe(disk(10), kBoth).has_value());

  std::optional<Transition> t = tracker.observe(disk(85), kBoth);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->from, Level::kOk);
  EXPECT_EQ(t->to, Level::kWarning);
  EXPECT_EQ(t->threshold, 80.0);
  tracker.announce(disk(85), t->to);

  EXPECT_FALSE(tracker.observe(disk(86), kBoth).has_value()) << "same level: no storm";

  t = tracker.observe(disk(90), kBoth);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->from, Level::kWarning);
  EXPECT_EQ(t->to, Level::kCritical);
  EXPECT_EQ(t->threshold, 90.0);
  tracker.announce(disk(90), t->to);
  EXPECT_FALSE(tracker.observe(disk(99), kBoth).has_value());

  t = tracker.observe(disk(5), kBoth);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->from, Level::kCritical);
  EXPECT_EQ(t->to, Level::kOk);
  EXPECT_EQ(t->threshold, 80.0) << "a recovery names the warning level";
  tracker.announce(disk(5), t->to);
  EXPECT_EQ(tracker.level("disk_used_percent", "/srv"), Level::kOk);
}

TEST(ThresholdTrackerTest, CriticalBackToWarningIsAnnounced) {
  ThresholdTracker tracker;
  tracker.announce(disk(95), Level::kCritical);
  std::optional<Transition> t = tracker.observe(disk(85), kBoth);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->to, Level::kWarning);
  EXPECT_EQ(t->threshold, 80.0);
}

TEST(ThresholdTrackerTest, CheckDoesNotChangeStateUntilAnnounced) {
  ThresholdTracker tracker;
  ASSERT_TRUE(tracker.observe(disk(85), kBoth).has_value());
  EXPECT_TRUE(tracker.observe(disk(85), kBoth).has_value()) << "an unannounced change is retried";
  EXPECT_EQ(tracker.level("disk_used_percent", "/srv"), Level::kOk);
}

TEST(ThresholdTrackerTest, ResourcesAndMetricsAreTrackedSeparately) {
  ThresholdTracker tracker;
  tracker.announce(disk(85), Level::kWarning);
  Reading other = disk(85);
  other.resource = "/home";
  EXPECT_TRUE(tracker.observe(other, kBoth).has_value());
  Reading inodes = disk(85);
  inodes.metric = "disk_inodes_percent";
  EXPECT_TRUE(tracker.observe(inodes, kBoth).has_value());
  EXPECT_FALSE(tracker.observe(disk(85), kBoth).has_value());
}

TEST(ThresholdTrackerTest, RecoveryWithOnlyACriticalLevelNamesIt) {
  ThresholdTracker tracker;
  config::ThresholdConfig critical_only{std::nullopt, 90.0};
  tracker.announce(disk(95), Level::kCritical);
  std::optional<Transition> t = tracker.observe(disk(50), critical_only);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->threshold, 90.0);
}

TEST(ThresholdEventTest, FiringEventHasTheAgreedShape) {
  WallTime now = *parseRfc3339("2026-01-14T12:00:00Z");
  Reading reading{"host", "cpu", "cpu_percent", "percent", 97.123456};
  contracts::Event event = makeThresholdEvent("orion-watcher-host", "node-a", reading,
                                              {Level::kWarning, Level::kCritical, 95.0}, now);
  EXPECT_TRUE(isUuid(event.event_id));
  EXPECT_EQ(event.timestamp, now);
  EXPECT_EQ(event.source, "orion-watcher-host");
  EXPECT_EQ(event.event_type, "metric_threshold_exceeded");
  EXPECT_EQ(event.severity, contracts::EventSeverity::kCritical);
  EXPECT_EQ(event.data, (Json{{"node", "node-a"},
                              {"resource_type", "host"},
                              {"resource", "cpu"},
                              {"metric", "cpu_percent"},
                              {"value", 97.12},
                              {"unit", "percent"},
                              {"threshold", 95.0},
                              {"level", "critical"},
                              {"state", "firing"}}));
  EXPECT_EQ(event.tags, (contracts::Tags{{"node", "node-a"}}));
}

TEST(ThresholdEventTest, SeverityFollowsTheNewLevel) {
  WallTime now{};
  Reading reading = disk(85);
  EXPECT_EQ(
      makeThresholdEvent("orion-watcher-host", "n", reading, {Level::kOk, Level::kWarning, 80}, now)
          .severity,
      contracts::EventSeverity::kWarning);
  contracts::Event recovered = makeThresholdEvent("orion-watcher-host", "n", reading,
                                                  {Level::kWarning, Level::kOk, 80}, now);
  EXPECT_EQ(recovered.severity, contracts::EventSeverity::kInfo);
  EXPECT_EQ(recovered.data["state"], "recovered");
  EXPECT_EQ(recovered.data["level"], "ok");
  EXPECT_EQ(recovered.data["threshold"], 80.0);
}

TEST(ThresholdEventTest, EventsAreValidContractDocuments) {
  auto registry = contracts::ContractRegistry::loadEmbedded();
  ASSERT_TRUE(registry) << registry.status().toString();
  WallTime now = *parseRfc3339("2026-01-14T12:00:00Z");
  Reading load{"host", "load", "load_per_cpu", "ratio", 4.5};
  for (Transition t : {Transition{Level::kOk, Level::kWarning, 4.0},
                       Transition{Level::kWarning, Level::kCritical, 8.0},
                       Transition{Level::kCritical, Level::kOk, 4.0}}) {
    Json document = makeThresholdEvent("orion-watcher-host", "node-1", load, t, now).toJson();
    Status valid = (*registry)->validate("event", document);
    EXPECT_TRUE(valid.isOk()) << valid.toString() << "\n" << document.dump();
  }
}

}  // namespace
}  // namespace orion::watcher
