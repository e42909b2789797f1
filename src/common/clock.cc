#include "common/clock.h"

namespace orion {

WallTime RealClock::now() const { return std::chrono::system_clock::now(); }
MonoTime RealClock::monotonic() const { return std::chrono::steady_clock::now(); }

namespace {
// 2026-01-01T00:00:00Z
constexpr int64_t kDefaultStartNs = 1767225600LL * 1'000'000'000LL;
}  // namespace

SimulatedClock::SimulatedClock() : wall_ns_(kDefaultStartNs), mono_ns_(1'000'000'000LL) {}

SimulatedClock::SimulatedClock(WallTime start)
    : wall_ns_(
          std::chrono::duration_cast<std::chrono::nanoseconds>(start.time_since_epoch()).count()),
      mono_ns_(1'000'000'000LL) {}

WallTime SimulatedClock::now() const {
  return WallTime(
      std::chrono::duration_cast<WallTime::duration>(std::chrono::nanoseconds(wall_ns_.load())));
}

MonoTime SimulatedClock::monotonic() const {
  return MonoTime(
      std::chrono::duration_cast<MonoTime::duration>(std::chrono::nanoseconds(mono_ns_.load())));
}

void SimulatedClock::advance(Duration by) {
  wall_ns_ += by.count();
  mono_ns_ += by.count();
}

void SimulatedClock::setWall(WallTime to) {
  wall_ns_ = std::chrono::duration_cast<std::chrono::nanoseconds>(to.time_since_epoch()).count();
}

}  // namespace orion
