// One circuit breaker: the failure history of one scope (an action type, or an action type on one
// target) and whether automatic actions in that scope are allowed. Pure value type; the brain
// keeps one per scope in its SafetyState and updates it from outcomes only.
//
//   closed    failures are counted within failure_window; failure_threshold of them open it.
//   open      for open_duration after it opened: no action in the scope.
//   half-open after that: one trial action may start; its verified success closes the breaker,
//             its failure opens it again (for another open_duration).
// A verified success while closed forgets the failures; one while open changes nothing (the open
// duration must pass first). Times are the outcomes' own timestamps, so replaying the same
// outcomes gives the same breaker.
#pragma once

#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "policy/policy.h"

namespace orion::brain {

enum class BreakerPhase { kClosed, kOpen, kHalfOpen };
std::string_view toString(BreakerPhase phase);

struct CircuitBreaker {
  std::deque<WallTime> failures;      // failure times, oldest first
  std::optional<WallTime> opened_at;  // set while open or half-open
  std::string trial_action_id;        // half-open: the trial in flight, "" when none

  BreakerPhase phase(const policy::BreakerSettings& settings, WallTime now) const;
  // Failures within the window ending at `now`.
  size_t recentFailures(const policy::BreakerSettings& settings, WallTime now) const;
  // While open: how long until half-open (zero otherwise).
  Duration remainingOpen(const policy::BreakerSettings& settings, WallTime now) const;

  void recordFailure(const policy::BreakerSettings& settings, WallTime at);
  void recordVerifiedSuccess(const policy::BreakerSettings& settings, WallTime at);

  // True when nothing is worth keeping (closed, no failures within the window of `now`).
  bool idle(const policy::BreakerSettings& settings, WallTime now) const;

  friend bool operator==(const CircuitBreaker&, const CircuitBreaker&) = default;
};

}  // namespace orion::brain
