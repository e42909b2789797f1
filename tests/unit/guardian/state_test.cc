// The correlator's state written to a StateStore and restored is exactly the state before, and a
// restored correlator continues exactly as the original would.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "guardian/correlator.h"
#include "guardian/correlator_store.h"
#include "guardian_events.h"
#include "state/state_store.h"
#include "testing/temp_dir.h"
#include "testing/test_events.h"

namespace orion::guardian {
namespace {

using namespace std::chrono_literals;

Status flush(Correlator& correlator, state::StateStore& store) {
  state::Batch batch;
  addChanges(correlator, batch);
  ORION_RETURN_IF_ERROR(store.apply(batch));
  correlator.clearDirty();
  return Status::ok();
}

TEST(CorrelatorState, RebuiltStateEqualsTheStateBeforeAndContinuesTheSame) {
  testing::TempDir dir;
  auto store = state::StateStore::open(dir.path() / "guardian" / "state.log");
  ASSERT_TRUE(store.isOk()) << store.status().message();
  SimulatedClock clock;
  CorrelatorOptions options;
  Correlator original(options, clock);
  // Open, absorbed-pending, resolved, flapping and node-group state, and remembered event ids.
  std::vector<contracts::Event> history;
  auto feed = [&](contracts::Event event) {
    clock.advance(5s);
    history.push_back(event);
    original.process(event);
    ASSERT_TRUE(flush(original, **store).isOk());
  };
  feed(testing::metricEvent({}, clock.now()));
  feed(testing::metricEvent({.value = 94}, clock.now()));
  for (int i = 0; i < 3; ++i) {
    feed(testing::containerDown("jellyfin", clock.now(), "pi"));
    feed(testing::containerUp("jellyfin", clock.now(), "pi"));
  }
  for (std::string service : {"a", "b", "c", "d"})
    feed(testing::containerDown(service, clock.now()));
  feed(testing::containerUp("b", clock.now()));
  Json before = original.snapshot();
  ASSERT_FALSE(before["incidents"].empty());
  ASSERT_FALSE(before["nodes"].empty());

  Correlator restored(options, clock);
  ASSERT_TRUE(loadCorrelator(**store, restored).isOk());
  EXPECT_EQ(restored.snapshot(), before);

  // Both continue the same way: same incidents for the same events and sweeps.
  std::vector<contracts::Event> more = {
      testing::containerDown("e", clock.now()), testing::containerUp("a", clock.now()),
      testing::metricEvent({.value = 99}, clock.now()), history.front()};
  for (const auto& event : more) {
    Correlation a = original.process(event);
    Correlation b = restored.process(event);
    EXPECT_EQ(a.verdict, b.verdict);
    ASSERT_EQ(a.incidents.size(), b.incidents.size());
    for (size_t i = 0; i < a.incidents.size(); ++i) {
      EXPECT_EQ(a.incidents[i]->toJson(), b.incidents[i]->toJson());
    }
  }
  clock.advance(20min);
  auto swept_a = original.sweep();
  auto swept_b = restored.sweep();
  ASSERT_EQ(swept_a.size(), swept_b.size());
  EXPECT_EQ(original.snapshot(), restored.snapshot());
}

// A node group's description lists the alphabetically first five of its members' summaries. The
// correlator keeps that listing as members join instead of looking every member up again
// (describeGroup); a restored correlator has no listing and makes it anew from the members. Both
// publishing the same documents for the same next event, after every event of a random run of
// joins, leaves and truncated groups, shows that what was kept is what listing anew gives.
TEST(CorrelatorState, AGroupListingKeptAsMembersJoinIsTheOneListedAnew) {
  testing::TempDir dir;
  auto store = state::StateStore::open(dir.path() / "guardian" / "state.log");
  ASSERT_TRUE(store.isOk()) << store.status().message();
  SimulatedClock clock;
  CorrelatorOptions options;
  options.max_group_members = 12;
  Correlator original(options, clock);
  std::mt19937 random(20261206);
  std::vector<std::string> services;
  for (int i = 0; i < 24; ++i) {
    services.push_back(std::string(1, static_cast<char>('a' + (i * 7) % 26)) + "-service-" +
                       std::to_string(i));
  }
  size_t joins_compared = 0;
  size_t long_listings = 0;
  for (int step = 0; step < 400; ++step) {
    clock.advance(std::chrono::seconds(1 + random() % 4));
    const std::string& service = services[random() % services.size()];
    contracts::Event event = random() % 5 < 3 ? testing::containerDown(service, clock.now())
                                              : testing::containerUp(service, clock.now());
    Correlator restored(options, clock);
    ASSERT_TRUE(loadCorrelator(**store, restored).isOk());
    Correlation a = original.process(event);
    Correlation b = restored.process(event);
    ASSERT_EQ(a.verdict, b.verdict) << "step " << step;
    ASSERT_EQ(a.incidents.size(), b.incidents.size()) << "step " << step;
    for (size_t i = 0; i < a.incidents.size(); ++i) {
      ASSERT_EQ(a.incidents[i]->toJson(), b.incidents[i]->toJson()) << "step " << step;
    }
    if (a.verdict == Verdict::kGrouped && a.opened.empty()) {
      ++joins_compared;
      if (a.incidents[0]->description->find("more)") != std::string::npos) ++long_listings;
    }
    ASSERT_TRUE(flush(original, **store).isOk());
  }
  EXPECT_GE(joins_compared, 20u);
  EXPECT_GE(long_listings, 5u) << "groups of more than five members were joined";
}

TEST(CorrelatorState, AnUnreadableValueIsDataLoss) {
  SimulatedClock clock;
  Correlator correlator(CorrelatorOptions{}, clock);
  Status status = correlator.restore("conditions", "abc", Json{{"open", "yes"}});
  EXPECT_EQ(status.code(), StatusCode::kDataLoss);
  EXPECT_NE(status.message().find("'conditions' key 'abc'"), std::string::npos);
}

}  // namespace
}  // namespace orion::guardian
