// Clock: the only way ORION code reads the time.
//
// Cooldowns, breakers, correlation windows, approval expiry and retention are time logic; they take
// a `const Clock&` so tests drive a SimulatedClock instead of sleeping. Production code uses
// RealClock. Both are thread-safe.
//
//   now()       wall-clock time (UTC), for timestamps written into documents and windows
//   monotonic() a clock that never goes backwards, for measuring durations and deadlines
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace orion {

using WallTime = std::chrono::system_clock::time_point;
using MonoTime = std::chrono::steady_clock::time_point;
using Duration = std::chrono::nanoseconds;

// A WallTime as nanoseconds since the Unix epoch, and back: how the modules' stored safety state
// writes a time.
inline int64_t nanosSinceEpoch(WallTime t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}
inline WallTime wallTimeFromNanos(int64_t nanos) {
  return WallTime(std::chrono::duration_cast<WallTime::duration>(std::chrono::nanoseconds(nanos)));
}

class Clock {
 public:
  virtual ~Clock() = default;
  virtual WallTime now() const = 0;
  virtual MonoTime monotonic() const = 0;
};

class RealClock final : public Clock {
 public:
  WallTime now() const override;
  MonoTime monotonic() const override;
};

// A clock that moves only when a test tells it to. Starts at 2026-01-01T00:00:00Z unless given a
// start. advance() moves both the wall and the monotonic reading; setWall() jumps the wall clock
// alone (to test a clock step), the monotonic reading never goes backwards.
class SimulatedClock final : public Clock {
 public:
  SimulatedClock();
  explicit SimulatedClock(WallTime start);

  WallTime now() const override;
  MonoTime monotonic() const override;

  void advance(Duration by);
  void setWall(WallTime to);

 private:
  std::atomic<int64_t> wall_ns_;
  std::atomic<int64_t> mono_ns_;
};

}  // namespace orion
