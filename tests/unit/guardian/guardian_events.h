// Container events as a container watcher source reports them (data: node, service_name,
// container_id, image, exit_code, health), for the guardian tests.
#pragma once

#include <string>

#include "common/ids.h"
#include "contracts/documents.h"

namespace orion::testing {

inline contracts::Event containerEvent(std::string type, contracts::EventSeverity severity,
                                       const std::string& service, WallTime at,
                                       const std::string& node) {
  contracts::Event event;
  event.event_id = newUuid();
  event.timestamp = at;
  event.source = "orion-watcher-containers";
  event.event_type = std::move(type);
  event.severity = severity;
  event.data = Json{{"node", node},
                    {"service_name", service},
                    {"container_id", "c0ffee-" + service},
                    {"image", service + "/" + service + ":10.9"},
                    {"exit_code", 137},
                    {"health", "unhealthy"}};
  return event;
}

inline contracts::Event containerDown(const std::string& service, WallTime at,
                                      const std::string& node = "nas") {
  return containerEvent("service_down", contracts::EventSeverity::kError, service, at, node);
}

inline contracts::Event containerUp(const std::string& service, WallTime at,
                                    const std::string& node = "nas") {
  return containerEvent("service_up", contracts::EventSeverity::kInfo, service, at, node);
}

}  // namespace orion::testing
