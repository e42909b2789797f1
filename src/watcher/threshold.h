// Threshold levels and the `metric_threshold_exceeded` events they produce. Shared by every
// source that compares a number with configured warning and critical levels (host today;
// prometheus rules later).
//
// The rule is level-based with hysteresis: a value at or above `critical` is critical, else at or
// above `warning` is warning, else ok (with `below`, at or below: for "free" metrics). An event is
// due only when a level other than the last *announced* one for that (metric, resource) held for
// `fire_after` consecutive samples (rising) or `clear_after` (falling; see debounce.h), so a value
// sitting above a threshold gives one event, and one hovering at it no storm.
// Not thread-safe: each source owns its tracker and uses it on its sampling thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/clock.h"
#include "config/config.h"
#include "contracts/documents.h"
#include "watcher/debounce.h"

namespace orion::watcher {

enum class Level { kOk, kWarning, kCritical };
std::string_view toString(Level level);

// The level of `value` against `thresholds`; an absent level is never reached. With `below` the
// levels are lower bounds (a value at or below `critical` is critical).
Level levelFor(const config::ThresholdConfig& thresholds, double value, bool below = false);

// One metric reading of one resource, as it appears in an event's `data`.
struct Reading {
  std::string resource_type;  // "host" | "disk" | "sensor" | "interface" | "prometheus"
  std::string resource;       // "cpu", "memory", "swap", "load", a mount point, a sensor, ...
  std::string metric;         // "cpu_percent", "disk_used_percent", "inode_used_percent", ...
  std::string unit;           // "percent" | "ratio" | "celsius" | "per_second" | as configured
  double value = 0;
};

// A change of level that should be announced.
struct Transition {
  Level from = Level::kOk;
  Level to = Level::kOk;
  // The crossed level's number (warning or critical); for a recovery, the warning level (or the
  // critical level when no warning level is configured).
  double threshold = 0;
};

class ThresholdTracker {
 public:
  explicit ThresholdTracker(int64_t fire_after = 1, int64_t clear_after = 1)
      : fire_after_(fire_after), clear_after_(clear_after) {}

  // Feeds `reading` to its (metric, resource)'s streak and returns the transition that is due
  // from the last announced level, or nothing. Call announce() once the event has been
  // published; until then the same transition stays due.
  std::optional<Transition> observe(const Reading& reading,
                                    const config::ThresholdConfig& thresholds, bool below = false);

  // Records that `level` has been announced for the reading's (metric, resource).
  void announce(const Reading& reading, Level level);

  // The last announced level (kOk for a resource never seen).
  Level level(std::string_view metric, std::string_view resource) const;

 private:
  static std::string key(std::string_view metric, std::string_view resource);
  int64_t fire_after_;
  int64_t clear_after_;
  std::unordered_map<std::string, Debouncer> levels_;
};

// The event announcing `transition` of `reading`: event_type "metric_threshold_exceeded",
// severity warning/critical (firing) or info (recovered), `data` with node, resource_type,
// resource, metric, value, unit, threshold, level and state, and tags {"node": node}.
contracts::Event makeThresholdEvent(std::string_view source, std::string_view node,
                                    const Reading& reading, const Transition& transition,
                                    WallTime now);

}  // namespace orion::watcher
