// One circuit breaker through its phases (reference §8.7, plus the half-open trial the original
// lacked).
#include "brain/circuit_breaker.h"

#include <gtest/gtest.h>

namespace orion::brain {
namespace {

using namespace std::chrono_literals;

policy::BreakerSettings settings(int64_t threshold = 3, Duration window = 300s,
                                 Duration open = 600s) {
  policy::BreakerSettings s;
  s.failure_threshold = threshold;
  s.failure_window = window;
  s.open_duration = open;
  return s;
}

class BreakerTest : public ::testing::Test {
 protected:
  WallTime at(Duration offset) const { return start_ + offset; }
  WallTime start_ = SimulatedClock().now();
  CircuitBreaker breaker_;
};

TEST_F(BreakerTest, StartsClosedAndStaysClosedBelowTheThreshold) {
  auto s = settings();
  EXPECT_EQ(breaker_.phase(s, at(0s)), BreakerPhase::kClosed);
  breaker_.recordFailure(s, at(1s));
  breaker_.recordFailure(s, at(2s));
  EXPECT_EQ(breaker_.phase(s, at(3s)), BreakerPhase::kClosed);
  EXPECT_EQ(breaker_.recentFailures(s, at(3s)), 2u);
}

TEST_F(BreakerTest, OpensAtTheThresholdThenHalfOpensAfterTheOpenDuration) {
  auto s = settings();
  for (auto t : {1s, 2s, 3s}) breaker_.recordFailure(s, at(t));
  EXPECT_EQ(breaker_.phase(s, at(3s)), BreakerPhase::kOpen);
  EXPECT_EQ(breaker_.remainingOpen(s, at(103s)), 500s);
  EXPECT_EQ(breaker_.phase(s, at(602s)), BreakerPhase::kOpen);
  EXPECT_EQ(breaker_.phase(s, at(603s)), BreakerPhase::kHalfOpen);
  EXPECT_EQ(breaker_.remainingOpen(s, at(603s)), 0s);
}

TEST_F(BreakerTest, FailuresOlderThanTheWindowDoNotCount) {
  auto s = settings(3, 10s);
  breaker_.recordFailure(s, at(0s));
  breaker_.recordFailure(s, at(5s));
  breaker_.recordFailure(s, at(11s));  // the first is out of the window by now
  EXPECT_EQ(breaker_.phase(s, at(11s)), BreakerPhase::kClosed);
  breaker_.recordFailure(s, at(12s));
  EXPECT_EQ(breaker_.phase(s, at(12s)), BreakerPhase::kOpen);
}

TEST_F(BreakerTest, AVerifiedTrialSuccessClosesAndAFailedTrialReopens) {
  auto s = settings(1, 300s, 60s);
  breaker_.recordFailure(s, at(0s));
  EXPECT_EQ(breaker_.phase(s, at(30s)), BreakerPhase::kOpen);
  breaker_.recordFailure(s, at(70s));  // the trial failed
  EXPECT_EQ(breaker_.phase(s, at(71s)), BreakerPhase::kOpen) << "open again for a full duration";
  EXPECT_EQ(breaker_.remainingOpen(s, at(71s)), 59s);
  breaker_.recordVerifiedSuccess(s, at(140s));  // the next trial succeeded
  EXPECT_EQ(breaker_.phase(s, at(140s)), BreakerPhase::kClosed);
  EXPECT_EQ(breaker_.recentFailures(s, at(140s)), 0u);
  EXPECT_TRUE(breaker_.idle(s, at(140s)));
}

TEST_F(BreakerTest, ASuccessWhileOpenChangesNothing) {
  auto s = settings(2);
  breaker_.recordFailure(s, at(0s));
  breaker_.recordFailure(s, at(1s));
  breaker_.recordVerifiedSuccess(s, at(2s));
  EXPECT_EQ(breaker_.phase(s, at(2s)), BreakerPhase::kOpen);
}

TEST_F(BreakerTest, SuccessWhileClosedForgetsFailures) {
  auto s = settings(3);
  breaker_.recordFailure(s, at(0s));
  breaker_.recordFailure(s, at(1s));
  breaker_.recordVerifiedSuccess(s, at(2s));
  breaker_.recordFailure(s, at(3s));
  EXPECT_EQ(breaker_.phase(s, at(3s)), BreakerPhase::kClosed);
  EXPECT_EQ(breaker_.recentFailures(s, at(3s)), 1u);
}

TEST_F(BreakerTest, AlternatingFailureAndSuccessStaysClosed) {
  auto s = settings(2);
  for (int i = 0; i < 20; ++i) {
    breaker_.recordFailure(s, at(std::chrono::seconds(2 * i)));
    breaker_.recordVerifiedSuccess(s, at(std::chrono::seconds(2 * i + 1)));
  }
  EXPECT_EQ(breaker_.phase(s, at(41s)), BreakerPhase::kClosed);
}

TEST_F(BreakerTest, ExtremesThresholdsAndDurations) {
  auto zero_open = settings(1, 300s, 0s);
  breaker_.recordFailure(zero_open, at(0s));
  EXPECT_NE(breaker_.phase(zero_open, at(0s)), BreakerPhase::kOpen)
      << "open duration 0 is never observed open";

  CircuitBreaker big;
  auto thousand = settings(1000, 24h);
  for (int i = 0; i < 999; ++i) big.recordFailure(thousand, at(std::chrono::seconds(i)));
  EXPECT_EQ(big.phase(thousand, at(999s)), BreakerPhase::kClosed);
  big.recordFailure(thousand, at(999s));
  EXPECT_EQ(big.phase(thousand, at(999s)), BreakerPhase::kOpen) << "opens exactly on the 1000th";
}

TEST_F(BreakerTest, OutOfOrderFailuresAreCountedByTheirTime) {
  auto s = settings(3, 60s);
  breaker_.recordFailure(s, at(50s));
  breaker_.recordFailure(s, at(10s));  // reported late
  breaker_.recordFailure(s, at(55s));
  EXPECT_EQ(breaker_.phase(s, at(55s)), BreakerPhase::kOpen);
}

}  // namespace
}  // namespace orion::brain
