#include "brain/candidate.h"

#include <algorithm>

#include "policy/template.h"

namespace orion::brain {

std::optional<std::string> incidentValue(const contracts::Incident& incident,
                                         std::string_view name) {
  if (name == "incident_id") return incident.incident_id;
  if (name == "incident_type") return incident.incident_type;
  if (name == "severity") return std::string(contracts::toString(incident.severity));
  if (name == "state") return std::string(contracts::toString(incident.state));
  if (name == "description") {
    if (!incident.description) return std::nullopt;
    return *incident.description;
  }
  auto it = incident.tags.find(std::string(name));
  if (it == incident.tags.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

std::string targetOf(const contracts::Incident& incident) {
  for (const char* name : {"target", "service_name", "resource", "node"}) {
    auto it = incident.tags.find(name);
    if (it != incident.tags.end() && !it->second.empty()) return it->second;
  }
  return "";
}

bool ruleMatches(const policy::Rule& rule, const contracts::Incident& incident) {
  if (std::find(rule.incident_types.begin(), rule.incident_types.end(), incident.incident_type) ==
      rule.incident_types.end()) {
    return false;
  }
  if (incident.severity < rule.min_severity) return false;
  for (const auto& [tag, pattern] : rule.tags) {
    auto it = incident.tags.find(tag);
    if (it == incident.tags.end() || !policy::globMatch(pattern, it->second)) return false;
  }
  return policy::globMatch(rule.target, targetOf(incident));
}

namespace {

size_t stepFor(const policy::Rule& rule, int64_t failures) {
  int64_t reached = 0;
  for (size_t i = 0; i + 1 < rule.steps.size(); ++i) {
    reached += rule.steps[i].attempts.value_or(1);
    if (failures < reached) return i;
  }
  return rule.steps.size() - 1;
}

}  // namespace

Selection selectCandidate(const contracts::Incident& incident, const policy::Policy& policy,
                          const SafetyState& state, WallTime now) {
  Selection selection;
  std::string target = targetOf(incident);
  policy::Lookup lookup = [&incident](std::string_view name) {
    return incidentValue(incident, name);
  };
  for (const policy::Rule& rule : policy.rules()) {
    if (rule.steps.empty() || !ruleMatches(rule, incident)) continue;
    int64_t failures = state.ladderFailures(rule.name, target, now, rule.reset_after);
    size_t step = stepFor(rule, failures);
    auto parameters = policy::renderParameters(rule.steps[step].parameters, lookup);
    if (!parameters) {
      selection.skipped.push_back(rule.name + ": " + parameters.status().message());
      continue;
    }
    const std::string& action = rule.steps[step].action_type;
    Candidate candidate{&rule, step, target, action, std::move(parameters).value(), failures};
    candidate.cooldown_key =
        cooldownKeyOf(action, policy.cooldownKey(action, candidate.parameters));
    candidate.action_target = policy.targetOf(action, candidate.parameters);
    selection.candidate = std::move(candidate);
    return selection;
  }
  return selection;
}

}  // namespace orion::brain
