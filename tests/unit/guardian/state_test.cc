// The correlator's state written to a StateStore and restored is exactly the state before, and a
// restored correlator continues exactly as the original would.
#include <gtest/gtest.h>

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

TEST(CorrelatorState, AnUnreadableValueIsDataLoss) {
  SimulatedClock clock;
  Correlator correlator(CorrelatorOptions{}, clock);
  Status status = correlator.restore("conditions", "abc", Json{{"open", "yes"}});
  EXPECT_EQ(status.code(), StatusCode::kDataLoss);
  EXPECT_NE(status.message().find("'conditions' key 'abc'"), std::string::npos);
}

}  // namespace
}  // namespace orion::guardian
