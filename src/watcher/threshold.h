// Threshold levels and the `metric_threshold_exceeded` events they produce. Shared by every
// source that compares a number with configured warning and critical levels (host today;
// prometheus rules later).
//
// The rule is level-based without hysteresis (issue 5 adds "N samples to fire, M to clear"):
// a value at or above `critical` is critical, else at or above `warning` is warning, else ok.
// An event is due only when the level differs from the last *announced* level for that
// (metric, resource), so a value sitting above a threshold gives one event, not one per sample.
// Not thread-safe: each source owns its tracker and uses it on the sampling thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/clock.h"
#include "config/config.h"
#include "contracts/documents.h"

namespace orion::watcher {

enum class Level { kOk, kWarning, kCritical };
std::string_view toString(Level level);

// The level of `value` against `thresholds`; an absent level is never reached.
Level levelFor(const config::ThresholdConfig& thresholds, double value);

// One metric reading of one resource, as it appears in an event's `data`.
struct Reading {
  std::string resource_type;  // "host" | "disk"
  std::string resource;       // "cpu", "memory", "swap", "load", or a mount point
  std::string metric;         // "cpu_percent", "disk_used_percent", ...
  std::string unit;           // "percent" | "ratio"
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
  // The transition `reading` makes from the last announced level of its (metric, resource), or
  // nothing when the level is unchanged. Does not change the tracker: call announce() once the
  // event has been published.
  std::optional<Transition> check(const Reading& reading,
                                  const config::ThresholdConfig& thresholds) const;

  // Records that `level` has been announced for the reading's (metric, resource).
  void announce(const Reading& reading, Level level);

  // The last announced level (kOk for a resource never seen).
  Level level(std::string_view metric, std::string_view resource) const;

 private:
  static std::string key(std::string_view metric, std::string_view resource);
  std::unordered_map<std::string, Level> levels_;
};

// The event announcing `transition` of `reading`: event_type "metric_threshold_exceeded",
// severity warning/critical (firing) or info (recovered), `data` with node, resource_type,
// resource, metric, value, unit, threshold, level and state, and tags {"node": node}.
contracts::Event makeThresholdEvent(std::string_view source, std::string_view node,
                                    const Reading& reading, const Transition& transition,
                                    WallTime now);

}  // namespace orion::watcher
