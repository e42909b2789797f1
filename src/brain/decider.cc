#include "brain/decider.h"

#include <fmt/format.h>

namespace orion::brain {

contracts::Decision Decider::decide(const contracts::Incident& incident, WallTime now,
                                    std::string decision_id) const {
  contracts::Decision decision;
  decision.decision_id = std::move(decision_id);
  decision.timestamp = now;
  decision.incident_id = incident.incident_id;
  decision.decision_type = contracts::DecisionType::kNoAction;
  decision.safety_classification = contracts::SafetyClass::kSafe;
  decision.requires_approval = false;
  decision.autonomy_level = applied();

  std::string seen = fmt::format("N0 mode (observe only): detected {} (severity={}, events={})",
                                 incident.incident_type, contracts::toString(incident.severity),
                                 incident.event_ids.size());
  auto node = incident.tags.find("node");
  if (node != incident.tags.end()) {
    seen += " on node " + node->second;
    decision.tags["node"] = node->second;
  }
  if (incident.description && !incident.description->empty()) {
    seen += ": " + *incident.description;
  }
  if (degraded()) {
    // Failing closed is only safe if it is visible: say in the audited reasoning that the
    // operator's level was not honoured and why.
    decision.reasoning = fmt::format(
        "{}. No action taken: configured {} but no policy engine is available yet; acting as N0 "
        "(observe only).",
        seen, config::toString(configured_));
    decision.tags["configured_autonomy"] = std::string(config::toString(configured_));
  } else {
    decision.reasoning = seen + ". No action taken: autonomy level N0 only observes.";
  }
  return decision;
}

bool needsDecision(const contracts::Incident& incident) {
  return incident.state == contracts::IncidentState::kOpen;
}

std::string revisionOf(const contracts::Incident& incident) {
  return fmt::format("{}/{}/{}/{}", incident.incident_id, contracts::toString(incident.state),
                     contracts::toString(incident.severity), incident.event_ids.size());
}

}  // namespace orion::brain
