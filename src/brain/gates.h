// The gates every proposed action passes, in this fixed order (docs/decisions.md):
//
//   1 autonomy           N0 blocks; N1 suggests; N2 and N3 may act
//   2 classification     SAFE passes; RISKY and UNKNOWN need approval at N3, are suggested below
//   3 incident_cooldown  a decision that proposed an action for this incident, too recently
//   4 action_cooldown    the same action on the same entity (applies_per) ran or is running
//   5 rate_limit         the action type's max_frequency
//   6 circuit_breaker    per action type and per target
//   7 budget             fleet-wide automatic actions within the window (exhausted: ask the admin)
//   8 approval           whether an admin must approve, and why
//
// Every gate is always evaluated and recorded, even after one has blocked, so a decision explains
// everything that stood in the way. The decision follows from the verdicts: any `block` →
// NO_ACTION; else any `approval` → REQUEST_APPROVAL; else any `suggest` → SUGGEST_ACTION; else
// EXECUTE_SAFE_ACTION. Pure functions of their inputs; called on the brain's core thread.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "brain/candidate.h"
#include "brain/safety_state.h"
#include "policy/policy.h"

namespace orion::brain {

enum class Verdict { kPass, kBlock, kSuggest, kApproval, kSkip };
std::string_view toString(Verdict verdict);  // pass, block, suggest, approval, skip

inline constexpr std::array<std::string_view, 8> kGateOrder = {
    "autonomy",        "classification", "incident_cooldown", "action_cooldown", "rate_limit",
    "circuit_breaker", "budget",         "approval"};

struct Gate {
  std::string_view name;
  Verdict verdict = Verdict::kPass;
  std::string detail;  // "restart_container/jellyfin: 212 s remaining of 300 s"
  // For a block that time lifts (cooldowns, rate limit, breaker): how long until it would pass.
  // nullopt for a block that time does not lift (autonomy N0).
  std::optional<Duration> wait;
};

struct GateContext {
  contracts::AutonomyLevel level;
  const policy::Policy& policy;
  const SafetyState& state;
  const contracts::Incident& incident;
  const Candidate& candidate;
  WallTime now;
};

struct GateReport {
  std::vector<Gate> gates;  // in kGateOrder
  contracts::SafetyClass classification = contracts::SafetyClass::kUnknown;
  Duration approval_timeout{};  // when a gate asks for approval
  // At N3, when only the action's cooldown and/or its open breaker stop it: "cooldown",
  // "circuit_breaker" or "cooldown,circuit_breaker" (signing/overrides.h). The decision asks the
  // admin, and only a force with the matching flags may run it.
  std::string requires_override;
  // With "cooldown" in requires_override: when the cooldown ends (after which a plain approve
  // runs it).
  std::optional<WallTime> cooldown_until;
};

GateReport evaluateGates(const GateContext& context);

// "212 s", "1h 5m", for explanations: whole seconds under 10 minutes, else h/m.
std::string humanDuration(Duration duration);

}  // namespace orion::brain
