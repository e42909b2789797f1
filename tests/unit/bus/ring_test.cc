#include "bus/ring.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace orion::bus {
namespace {

TEST(RingTest, KeepsFifoOrderAcrossGrowthAndWrapAround) {
  Ring<int> ring;
  EXPECT_TRUE(ring.empty());
  int next_in = 0;
  int next_out = 0;
  // Interleave pushes and pops so the head wraps around while the ring grows past 16 slots.
  for (int round = 0; round < 50; ++round) {
    for (int i = 0; i < 7; ++i) ring.pushBack(next_in++);
    for (int i = 0; i < 5; ++i) {
      ASSERT_EQ(ring.front(), next_out++);
      ring.popFront();
    }
  }
  ASSERT_EQ(ring.size(), static_cast<size_t>(next_in - next_out));
  for (size_t i = 0; i < ring.size(); ++i) EXPECT_EQ(ring[i], next_out + static_cast<int>(i));
}

TEST(RingTest, PopReleasesWhatTheSlotHeld) {
  Ring<std::shared_ptr<std::string>> ring;
  auto value = std::make_shared<std::string>("entry");
  ring.pushBack(value);
  EXPECT_EQ(value.use_count(), 2);
  ring.popFront();
  EXPECT_EQ(value.use_count(), 1);
  EXPECT_TRUE(ring.empty());
}

}  // namespace
}  // namespace orion::bus
