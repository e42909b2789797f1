#include "brain/candidate.h"

#include <algorithm>

#include "policy/template.h"

namespace orion::brain {

std::optional<std::string_view> incidentValueView(const contracts::Incident& incident,
                                                  std::string_view name) {
  if (name == "incident_id") return incident.incident_id;
  if (name == "incident_type") return incident.incident_type;
  if (name == "severity") return contracts::toString(incident.severity);
  if (name == "state") return contracts::toString(incident.state);
  if (name == "description") {
    if (!incident.description) return std::nullopt;
    return *incident.description;
  }
  auto it = incident.tags.find(std::string(name));
  if (it == incident.tags.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

std::optional<std::string> incidentValue(const contracts::Incident& incident,
                                         std::string_view name) {
  std::optional<std::string_view> value = incidentValueView(incident, name);
  if (!value) return std::nullopt;
  return std::string(*value);
}

std::string_view targetView(const contracts::Incident& incident) {
  for (const char* name : {"target", "service_name", "resource", "node"}) {
    auto it = incident.tags.find(name);
    if (it != incident.tags.end() && !it->second.empty()) return it->second;
  }
  return "";
}

std::string targetOf(const contracts::Incident& incident) {
  return std::string(targetView(incident));
}

bool ruleMatches(const policy::Rule& rule, const contracts::Incident& incident,
                 std::string_view target) {
  if (std::find(rule.incident_types.begin(), rule.incident_types.end(), incident.incident_type) ==
      rule.incident_types.end()) {
    return false;
  }
  if (incident.severity < rule.min_severity) return false;
  for (const auto& [tag, pattern] : rule.tags) {
    auto it = incident.tags.find(tag);
    if (it == incident.tags.end() || !policy::globMatch(pattern, it->second)) return false;
  }
  return policy::globMatch(rule.target, target);
}

bool ruleMatches(const policy::Rule& rule, const contracts::Incident& incident) {
  return ruleMatches(rule, incident, targetView(incident));
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

// The step's parameters for this incident: the compiled template's rendering, or, when a value is
// missing, renderParameters() on the source, which says which one (the message the decision
// records in skipped_rules).
Result<Json> parametersFor(const policy::Step& step, const contracts::Incident& incident) {
  std::optional<Json> rendered = step.compiled_parameters.render(
      [&incident](std::string_view name) { return incidentValueView(incident, name); });
  if (rendered) return std::move(*rendered);
  return policy::renderParameters(step.parameters, [&incident](std::string_view name) {
    return incidentValue(incident, name);
  });
}

}  // namespace

Selection selectCandidate(const contracts::Incident& incident, const policy::Policy& policy,
                          const SafetyState& state, WallTime now) {
  Selection selection;
  std::string_view target = targetView(incident);
  for (const policy::Rule& rule : policy.rules()) {
    if (rule.steps.empty() || !ruleMatches(rule, incident, target)) continue;
    int64_t failures = state.ladderFailures(rule.name, target, now, rule.reset_after);
    size_t step_index = stepFor(rule, failures);
    const policy::Step& step = rule.steps[step_index];
    auto parameters = parametersFor(step, incident);
    if (!parameters) {
      selection.skipped.push_back(rule.name + ": " + parameters.status().message());
      continue;
    }
    const std::string& action = step.action_type;
    const policy::Cooldown& cooldown = step.profile.cooldown;
    Candidate candidate{
        &rule, step_index, std::string(target), action, std::move(parameters).value(), failures};
    // targetFor() is the cooldown's entity when there is one.
    std::string entity = policy::Policy::cooldownKeyFor(cooldown, candidate.parameters);
    candidate.action_target =
        entity.empty() ? policy::Policy::targetFor(cooldown, candidate.parameters) : entity;
    candidate.cooldown_key = cooldownKeyOf(action, entity);
    candidate.profile = &step.profile;
    selection.candidate = std::move(candidate);
    return selection;
  }
  return selection;
}

}  // namespace orion::brain
