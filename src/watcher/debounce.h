// Hysteresis for any ordered state (threshold levels ok < warning < critical; probe up < down):
// a change is due only after `fire_after` consecutive observations worse than the announced
// state, or `clear_after` consecutive observations better than it. A value hovering at a
// threshold therefore gives at most one event per streak, never one per sample.
//
// When a streak completes, the state due is the *least extreme* one seen during it — a value
// alternating between warning and critical for N samples from ok is announced as warning, and
// falling from critical through warning and ok for M samples is announced as warning — so only a
// state that held for the whole streak is announced.
//
// observe() reports what is due; announce() records what was published (a failed publish is
// simply retried at the next observe()). Not thread-safe: each source owns its debouncers.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>

namespace orion::watcher {

class Debouncer {
 public:
  Debouncer(int64_t fire_after, int64_t clear_after, int initial = 0)
      : fire_after_(std::max<int64_t>(1, fire_after)),
        clear_after_(std::max<int64_t>(1, clear_after)),
        announced_(initial) {}

  // Feeds one observation. Returns the state to announce when a streak is complete.
  std::optional<int> observe(int state) {
    if (state > announced_) {
      down_streak_ = 0;
      worst_down_ = announced_;
      mildest_up_ = up_streak_ == 0 ? state : std::min(mildest_up_, state);
      if (++up_streak_ >= fire_after_) return mildest_up_;
    } else if (state < announced_) {
      up_streak_ = 0;
      worst_down_ = down_streak_ == 0 ? state : std::max(worst_down_, state);
      if (++down_streak_ >= clear_after_) return worst_down_;
    } else {
      up_streak_ = 0;
      down_streak_ = 0;
    }
    return std::nullopt;
  }

  // Records that `state` was announced; streaks start over.
  void announce(int state) {
    announced_ = state;
    up_streak_ = 0;
    down_streak_ = 0;
  }

  int announced() const { return announced_; }
  int64_t streak() const { return std::max(up_streak_, down_streak_); }

 private:
  int64_t fire_after_;
  int64_t clear_after_;
  int announced_;
  int64_t up_streak_ = 0;
  int64_t down_streak_ = 0;
  int mildest_up_ = 0;
  int worst_down_ = 0;
};

}  // namespace orion::watcher
