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
//   requires_override, cooldown_until   an approval request only a force can answer
//                   (signing/overrides.h)
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "brain/candidate.h"
#include "brain/gates.h"
#include "contracts/documents.h"
#include "policy/policy.h"

namespace orion::brain {

// Appends "N2 mode (execute SAFE): detected service_outage (severity=high, events=2) on node
// nas: service jellyfin is down": what was seen, in the level's words.
void appendSeen(std::string& out, const contracts::Incident& incident,
                contracts::AutonomyLevel level);

// "autonomy=pass,classification=pass,…".
std::string gateSummary(const std::vector<Gate>& gates);

// Appends " Gates: autonomy pass; …; action_cooldown BLOCK (restart_container/jellyfin: 212 s …)."
void appendGateSentence(std::string& out, const std::vector<Gate>& gates);

// Appends "restart_container for jellyfin (rule unhealthy-container, step 1 of 3)".
void appendProposal(std::string& out, const Candidate& candidate);

// What a decision with a proposed action says in its tags besides the incident, the candidate
// and the gates: the decider settles these last.
struct SettledTags {
  std::string_view decided_by;
  std::optional<WallTime> retry_at;
  std::string_view requires_override;  // "" when nothing is required
  std::optional<WallTime> cooldown_until;
  std::string_view skipped_rules;  // "" when no rule was skipped
};

// Writes every tag of a decision with a proposed action into `tags` (empty before): node (when
// the incident has that tag), policy, the candidate's (rule, rule_step, action, target,
// ladder_failures), the gates' (gates, gate.<name>) and the settled ones. They are written in key
// order, so each goes in at the end of the map without searching it. Each gate's detail is moved
// into its tag ("block: <detail>"): afterwards the gates keep their names and verdicts only.
void writeDecisionTags(const contracts::Incident& incident, const policy::Policy& policy,
                       const Candidate& candidate, std::vector<Gate>& gates,
                       const SettledTags& settled, contracts::Tags& tags);

}  // namespace orion::brain
