// Event builders for the guardian tests, shaped like the watcher's threshold events
// (data: node, resource_type, resource, metric, value, unit, threshold, level, state) and like a
// service producer's (data.service_name).
#pragma once

#include <string>

#include "common/ids.h"
#include "contracts/documents.h"

namespace orion::testing {

struct MetricEventSpec {
  contracts::EventSeverity severity = contracts::EventSeverity::kWarning;
  std::string node = "node-a";
  std::string resource = "/";
  std::string metric = "disk_used_percent";
  double value = 93.1;
  double threshold = 90;
  std::string level = "warning";
  std::string state = "firing";
  std::string source = "orion-watcher-host";
};

inline contracts::Event metricEvent(const MetricEventSpec& spec, WallTime at) {
  contracts::Event event;
  event.event_id = newUuid();
  event.timestamp = at;
  event.source = spec.source;
  event.event_type = "metric_threshold_exceeded";
  event.severity = spec.severity;
  event.data =
      Json{{"node", spec.node},           {"resource_type", "disk"}, {"resource", spec.resource},
           {"metric", spec.metric},       {"value", spec.value},     {"unit", "percent"},
           {"threshold", spec.threshold}, {"level", spec.level},     {"state", spec.state}};
  event.tags = {{"node", spec.node}};
  return event;
}

inline contracts::Event recoveryOf(MetricEventSpec spec, WallTime at) {
  spec.severity = contracts::EventSeverity::kInfo;
  spec.level = "ok";
  spec.state = "recovered";
  spec.value = 42;
  return metricEvent(spec, at);
}

inline contracts::Event serviceEvent(std::string type, contracts::EventSeverity severity,
                                     std::string service, WallTime at,
                                     std::string node = "node-a") {
  contracts::Event event;
  event.event_id = newUuid();
  event.timestamp = at;
  event.source = "orion-watcher-docker";
  event.event_type = std::move(type);
  event.severity = severity;
  event.data = Json{{"node", node}, {"service_name", service}};
  return event;
}

}  // namespace orion::testing
