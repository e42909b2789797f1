// How a decision explains itself, inside the v1.0 decision contract: a `reasoning` sentence a
// person reads, and `tags` (a string map) a program reads. Tag keys (stable; docs/decisions.md):
//
//   node            the incident's node
//   rule            the rule that proposed the action;  rule_step  "1/3" (ladder position)
//   action          the action the rule proposed (also when it was not proposed in the end)
//   target          what the ladder and per-target breaker count per
//   ladder_failures failed outcomes counted for the rule on this target
//   decided_by      the gate that settled it, or no_rule / policy_invalid / all_gates_passed
//   gates           every gate in order with its verdict: "autonomy=pass,classification=pass,…"
//   gate.<name>     "<verdict>: <detail with numbers>", e.g.
//                   gate.action_cooldown = "block: restart_container/jellyfin: 212 s remaining of
//                   300 s"
//   retry_at        RFC 3339 time the brain looks again (a time-limited gate blocked)
//   policy          digest of the policy snapshot that decided
//   skipped_rules   rules that matched but could not fill their parameters ("; "-separated)
#pragma once

#include <string>
#include <vector>

#include "brain/candidate.h"
#include "brain/gates.h"
#include "contracts/documents.h"
#include "policy/policy.h"

namespace orion::brain {

// "N2 mode (execute SAFE): detected service_outage (severity=high, events=2) on node nas:
// service jellyfin is down" — what was seen, in the level's words.
std::string seenText(const contracts::Incident& incident, contracts::AutonomyLevel level);

// "autonomy=pass,classification=pass,…".
std::string gateSummary(const std::vector<Gate>& gates);

// " Gates: autonomy pass; …; action_cooldown BLOCK (restart_container/jellyfin: 212 s …)."
std::string gateSentence(const std::vector<Gate>& gates);

// "restart_container for jellyfin (rule unhealthy-container, step 1 of 3)".
std::string proposalText(const Candidate& candidate);

// Adds the gate tags (gates, gate.<name>) and the candidate tags (rule, rule_step, action,
// target, ladder_failures) to `tags`.
void addExplanationTags(const Candidate& candidate, const std::vector<Gate>& gates,
                        contracts::Tags& tags);

}  // namespace orion::brain
