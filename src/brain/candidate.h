// Which action a rule proposes for an incident: the first rule of the policy (file order) whose
// match holds and whose current ladder step's parameters can be filled in from the incident.
// Pure; called by the decider on the brain's core thread.
//
// The ladder step is chosen from the failed outcomes the SafetyState counted for (rule, target):
// with steps of attempts 2 and 1, failures 0–1 pick step 1, failure 2 picks step 2, 3 and more the
// last step. The target is the incident's tag "target" (the guardian sets it: a service name, or
// the resource), else service_name, resource or node, else "".
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "brain/safety_state.h"
#include "contracts/documents.h"
#include "policy/policy.h"

namespace orion::brain {

struct Candidate {
  const policy::Rule* rule = nullptr;
  size_t step = 0;  // index into rule->steps
  std::string target;
  std::string action_type;
  Json parameters = Json::object();  // rendered
  int64_t ladder_failures = 0;
  std::string cooldown_key = {};   // cooldownKeyOf(action, policy.cooldownKey(action, parameters))
  std::string action_target = {};  // policy.targetOf(action, parameters): the per-target breaker's
  // The step's profile of action_type (policy::Step::profile), owned by the policy; nullptr for a
  // candidate not made by selectCandidate() (the gates then ask the policy).
  const policy::ActionProfile* profile = nullptr;
};

struct Selection {
  std::optional<Candidate> candidate;
  // Rules that matched but could not be used, one line each ("host-service-down: the incident
  // has no 'service_name'"), for the reasoning.
  std::vector<std::string> skipped;
};

// The incident's value for a placeholder: incident_id, incident_type, severity, state,
// description, or a tag.
std::optional<std::string> incidentValue(const contracts::Incident& incident,
                                         std::string_view name);
// The same value, lent from the incident (valid while the incident is).
std::optional<std::string_view> incidentValueView(const contracts::Incident& incident,
                                                  std::string_view name);
std::string targetOf(const contracts::Incident& incident);
// The same target, lent from the incident's tags ("" when it has none).
std::string_view targetView(const contracts::Incident& incident);

bool ruleMatches(const policy::Rule& rule, const contracts::Incident& incident);
// The same, with the incident's targetView() already at hand.
bool ruleMatches(const policy::Rule& rule, const contracts::Incident& incident,
                 std::string_view target);

Selection selectCandidate(const contracts::Incident& incident, const policy::Policy& policy,
                          const SafetyState& state, WallTime now);

}  // namespace orion::brain
