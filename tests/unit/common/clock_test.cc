#include "common/clock.h"

#include <gtest/gtest.h>

#include "common/time.h"

namespace orion {
namespace {

using namespace std::chrono_literals;

TEST(SimulatedClockTest, StartsAtAKnownInstantAndMovesOnlyWhenTold) {
  SimulatedClock clock;
  EXPECT_EQ(formatRfc3339(clock.now()), "2026-01-01T00:00:00.000000Z");
  auto mono = clock.monotonic();
  EXPECT_EQ(clock.monotonic(), mono);
  clock.advance(90s);
  EXPECT_EQ(formatRfc3339(clock.now()), "2026-01-01T00:01:30.000000Z");
  EXPECT_EQ(clock.monotonic() - mono, 90s);
}

TEST(SimulatedClockTest, WallClockStepsDoNotMoveTheMonotonicClock) {
  SimulatedClock clock;
  auto mono = clock.monotonic();
  clock.setWall(*parseRfc3339("2020-05-05T00:00:00Z"));
  EXPECT_EQ(formatRfc3339(clock.now()), "2020-05-05T00:00:00.000000Z");
  EXPECT_EQ(clock.monotonic(), mono);
}

TEST(RealClockTest, MonotonicNeverGoesBackwards) {
  RealClock clock;
  auto first = clock.monotonic();
  auto second = clock.monotonic();
  EXPECT_LE(first, second);
}

}  // namespace
}  // namespace orion
