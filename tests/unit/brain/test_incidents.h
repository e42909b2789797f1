// Incident builder for the brain tests.
#pragma once

#include <string>

#include "common/ids.h"
#include "contracts/documents.h"

namespace orion::testing {

struct IncidentSpec {
  std::string type = "metric_anomaly";
  contracts::IncidentSeverity severity = contracts::IncidentSeverity::kMedium;
  contracts::IncidentState state = contracts::IncidentState::kOpen;
  int events = 1;
  std::string node = "node-a";  // "" for no node tag
  std::string description = "disk_used_percent of / is 93.1% (warning threshold 90%)";
};

inline contracts::Incident makeIncident(const IncidentSpec& spec, WallTime at,
                                        std::string incident_id = newUuid()) {
  contracts::Incident incident;
  incident.incident_id = std::move(incident_id);
  incident.timestamp = at;
  incident.incident_type = spec.type;
  incident.severity = spec.severity;
  incident.state = spec.state;
  for (int i = 0; i < spec.events; ++i) incident.event_ids.push_back(newUuid());
  incident.window_start = at;
  incident.window_end = at;
  if (!spec.description.empty()) incident.description = spec.description;
  if (!spec.node.empty()) incident.tags["node"] = spec.node;
  return incident;
}

}  // namespace orion::testing
