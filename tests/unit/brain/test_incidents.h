// Incident, action and outcome builders for the brain tests.
#pragma once

#include <optional>
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
  contracts::Tags tags = {};  // added to the node tag
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
  for (const auto& [key, value] : spec.tags) incident.tags[key] = value;
  return incident;
}

// A container that is down, as the guardian reports it (tags from the event's data).
inline contracts::Incident containerOutage(
    WallTime at, std::string service = "jellyfin",
    contracts::IncidentSeverity severity = contracts::IncidentSeverity::kHigh,
    std::string incident_id = newUuid()) {
  return makeIncident({.type = "service_outage",
                       .severity = severity,
                       .node = "nas",
                       .description = "service " + service + " is down",
                       .tags = {{"service_name", service},
                                {"container_id", "c0ffee-" + service},
                                {"target", service},
                                {"event_type", "service_down"}}},
                      at, std::move(incident_id));
}

// The action the commander would start for `decision` (which must propose one).
inline contracts::Action actionFor(const contracts::Decision& decision, WallTime at,
                                   std::optional<std::string> approval_id = std::nullopt,
                                   std::string action_id = newUuid()) {
  contracts::Action action;
  action.action_id = std::move(action_id);
  action.timestamp = at;
  action.decision_id = decision.decision_id;
  action.action_type = decision.proposed_action->action_type;
  action.safety_classification = decision.safety_classification == contracts::SafetyClass::kSafe
                                     ? contracts::SafetyClass::kSafe
                                     : contracts::SafetyClass::kRisky;
  action.state = contracts::ActionState::kExecuting;
  action.parameters = decision.proposed_action->parameters;
  action.approval_id = std::move(approval_id);
  return action;
}

inline contracts::Outcome outcomeFor(const contracts::Action& action,
                                     contracts::OutcomeStatus status, WallTime at,
                                     std::optional<bool> verified = std::nullopt) {
  contracts::Outcome outcome;
  outcome.outcome_id = newUuid();
  outcome.timestamp = at;
  outcome.action_id = action.action_id;
  outcome.status = status;
  outcome.execution_time_ms = 1200;
  if (status != contracts::OutcomeStatus::kSucceeded) {
    outcome.error = contracts::OutcomeError{"exit_1", "container exited again", std::nullopt};
  }
  if (verified) outcome.result = Json{{"verified", *verified}};
  return outcome;
}

}  // namespace orion::testing
