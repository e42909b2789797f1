#include "brain/circuit_breaker.h"

#include <algorithm>

namespace orion::brain {

namespace {

// The history never needs more than the threshold's worth of failures to decide, plus room for
// the window to slide; a bound keeps a failure storm from growing it.
constexpr size_t kMaxFailures = 1024;

void prune(std::deque<WallTime>& failures, WallTime since) {
  while (!failures.empty() && failures.front() <= since) failures.pop_front();
}

}  // namespace

std::string_view toString(BreakerPhase phase) {
  switch (phase) {
    case BreakerPhase::kClosed:
      return "closed";
    case BreakerPhase::kOpen:
      return "open";
    case BreakerPhase::kHalfOpen:
      return "half-open";
  }
  return "open";
}

BreakerPhase CircuitBreaker::phase(const policy::BreakerSettings& settings, WallTime now) const {
  if (!opened_at) return BreakerPhase::kClosed;
  return now < *opened_at + settings.open_duration ? BreakerPhase::kOpen : BreakerPhase::kHalfOpen;
}

size_t CircuitBreaker::recentFailures(const policy::BreakerSettings& settings, WallTime now) const {
  WallTime since = now - settings.failure_window;
  return static_cast<size_t>(std::count_if(failures.begin(), failures.end(),
                                           [&](WallTime t) { return t > since && t <= now; }));
}

Duration CircuitBreaker::remainingOpen(const policy::BreakerSettings& settings,
                                       WallTime now) const {
  if (phase(settings, now) != BreakerPhase::kOpen) return Duration::zero();
  return *opened_at + settings.open_duration - now;
}

void CircuitBreaker::recordFailure(const policy::BreakerSettings& settings, WallTime at) {
  auto position = std::upper_bound(failures.begin(), failures.end(), at);
  failures.insert(position, at);
  while (failures.size() > kMaxFailures) failures.pop_front();
  switch (phase(settings, at)) {
    case BreakerPhase::kHalfOpen:
      // The trial failed: open again for a full open_duration.
      opened_at = at;
      trial_action_id.clear();
      break;
    case BreakerPhase::kOpen:
      break;  // a late failure of an action started before it opened
    case BreakerPhase::kClosed:
      if (recentFailures(settings, at) >= static_cast<size_t>(settings.failure_threshold)) {
        opened_at = at;
      }
      break;
  }
  prune(failures, at - settings.failure_window);
}

void CircuitBreaker::recordVerifiedSuccess(const policy::BreakerSettings& settings, WallTime at) {
  switch (phase(settings, at)) {
    case BreakerPhase::kOpen:
      return;
    case BreakerPhase::kHalfOpen:
    case BreakerPhase::kClosed:
      opened_at.reset();
      failures.clear();
      trial_action_id.clear();
      return;
  }
}

bool CircuitBreaker::idle(const policy::BreakerSettings& settings, WallTime now) const {
  return !opened_at && trial_action_id.empty() && recentFailures(settings, now) == 0;
}

}  // namespace orion::brain
