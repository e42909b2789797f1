#include "watcher/threshold.h"

#include <cmath>

#include "common/ids.h"

namespace orion::watcher {

std::string_view toString(Level level) {
  switch (level) {
    case Level::kOk:
      return "ok";
    case Level::kWarning:
      return "warning";
    case Level::kCritical:
      return "critical";
  }
  return "ok";
}

Level levelFor(const config::ThresholdConfig& thresholds, double value, bool below) {
  // NaN compares false with everything, so a broken reading can never fire.
  auto reached = [&](double level) { return below ? value <= level : value >= level; };
  if (thresholds.critical && reached(*thresholds.critical)) return Level::kCritical;
  if (thresholds.warning && reached(*thresholds.warning)) return Level::kWarning;
  return Level::kOk;
}

std::string ThresholdTracker::key(std::string_view metric, std::string_view resource) {
  std::string k;
  k.reserve(metric.size() + 1 + resource.size());
  k.append(metric).push_back('\0');
  k.append(resource);
  return k;
}

Level ThresholdTracker::level(std::string_view metric, std::string_view resource) const {
  auto it = levels_.find(key(metric, resource));
  return it == levels_.end() ? Level::kOk : static_cast<Level>(it->second.announced());
}

std::optional<Transition> ThresholdTracker::observe(const Reading& reading,
                                                    const config::ThresholdConfig& thresholds,
                                                    bool below) {
  auto [it, inserted] =
      levels_.try_emplace(key(reading.metric, reading.resource), fire_after_, clear_after_);
  Debouncer& debouncer = it->second;
  std::optional<int> due =
      debouncer.observe(static_cast<int>(levelFor(thresholds, reading.value, below)));
  if (!due) return std::nullopt;
  Level from = static_cast<Level>(debouncer.announced());
  Level to = static_cast<Level>(*due);
  Transition transition{from, to, 0};
  if (to == Level::kCritical) {
    transition.threshold = *thresholds.critical;
  } else if (to == Level::kWarning) {
    transition.threshold = *thresholds.warning;
  } else if (thresholds.warning) {
    transition.threshold = *thresholds.warning;
  } else if (thresholds.critical) {
    transition.threshold = *thresholds.critical;
  }
  return transition;
}

void ThresholdTracker::announce(const Reading& reading, Level level) {
  auto [it, inserted] =
      levels_.try_emplace(key(reading.metric, reading.resource), fire_after_, clear_after_);
  it->second.announce(static_cast<int>(level));
}

namespace {

// Two decimals are plenty for a human and keep events free of float noise like 91.30000000004.
double rounded(double value) { return std::round(value * 100.0) / 100.0; }

}  // namespace

contracts::Event makeThresholdEvent(std::string_view source, std::string_view node,
                                    const Reading& reading, const Transition& transition,
                                    WallTime now) {
  bool recovered = transition.to == Level::kOk;
  contracts::Event event;
  event.event_id = newUuid();
  event.timestamp = now;
  event.source = std::string(source);
  event.event_type = "metric_threshold_exceeded";
  event.severity = transition.to == Level::kCritical  ? contracts::EventSeverity::kCritical
                   : transition.to == Level::kWarning ? contracts::EventSeverity::kWarning
                                                      : contracts::EventSeverity::kInfo;
  event.data = Json{
      {"node", node},
      {"resource_type", reading.resource_type},
      {"resource", reading.resource},
      {"metric", reading.metric},
      {"value", rounded(reading.value)},
      {"unit", reading.unit},
      {"threshold", transition.threshold},
      {"level", toString(transition.to)},
      {"state", recovered ? "recovered" : "firing"},
  };
  event.tags = {{"node", std::string(node)}};
  return event;
}

}  // namespace orion::watcher
