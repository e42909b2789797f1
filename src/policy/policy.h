// The policy: what ORION may do about an incident, and under which limits. Loaded once from a
// directory of YAML files into an immutable snapshot (`std::shared_ptr<const Policy>`) that every
// reader shares; per-message work only reads it. Used by the brain now, and by the commander
// (re-check SAFE before executing) and the approval coordinator (per-action approval timeout).
//
// The directory holds the original ORION's four files, with their shapes, plus a rules file
// and two optional files of commands (commands.h):
//   actions_safe.yaml   safe_actions[]: the allowlist. Only these are SAFE.
//   actions_risky.yaml  risky_actions[]: explicitly RISKY (always need an admin's approval).
//   cooldowns.yaml      global_settings, action_cooldowns[], incident_cooldowns,
//                       circuit_breaker, action_budget
//   approvals.yaml      approval_settings, action_overrides[], autonomy_levels,
//                       default_autonomy_level
//   rules.yaml          rules[]: incident → proposed action, with an escalation ladder
//   diagnostics.yaml    diagnostics[]: run_diagnostic's allow-listed read-only commands
//   exec_actions.yaml   exec_actions[]: actions that run an argv template
// docs/policies.md describes every key. Unknown keys are errors; so are actions named in
// cooldowns, overrides, breaker or rules that neither list classifies (a typo would otherwise
// silently make an action UNKNOWN).
//
// Fail closed: an action in neither list is UNKNOWN, which every caller treats as RISKY. A policy
// that fails to load is replaced by Policy::failClosed(): no rules, nothing SAFE. An executor's
// declared risk can make an action stricter, never safer (classify(action, declared)).
//
// Thread-safety: a Policy is immutable after load; share it freely between threads.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/json.h"
#include "common/status.h"
#include "contracts/documents.h"
#include "policy/commands.h"
#include "policy/template.h"

namespace orion::policy {

using contracts::SafetyClass;

// The file names in a policy directory.
inline constexpr std::string_view kSafeFile = "actions_safe.yaml";
inline constexpr std::string_view kRiskyFile = "actions_risky.yaml";
inline constexpr std::string_view kCooldownsFile = "cooldowns.yaml";
inline constexpr std::string_view kApprovalsFile = "approvals.yaml";
inline constexpr std::string_view kRulesFile = "rules.yaml";

// DeclaredRisk (read_only | reversible | destructive) is in commands.h.
std::string_view toString(DeclaredRisk risk);
// "read_only", "reversible" or "destructive"; anything else is kInvalidArgument.
Result<DeclaredRisk> parseDeclaredRisk(std::string_view text);

// `max_frequency`: at most `count` executions per `per` ("5 per minute").
struct RateLimit {
  int64_t count = 0;
  Duration per{};
  std::string text;  // as written, for explanations
};

struct ActionEntry {
  std::string action_type;
  SafetyClass classification = SafetyClass::kRisky;  // kSafe or kRisky, never kUnknown
  std::string description;
  std::optional<RateLimit> max_frequency;    // nullopt: unlimited
  std::optional<Duration> approval_timeout;  // RISKY entries: how long an admin has to answer
  std::string where;                         // "actions_safe.yaml:12", for messages
};

// The cooldown an action gets: its own entry in action_cooldowns, or the global default.
struct Cooldown {
  Duration duration{};
  std::string applies_per;  // the parameter it is keyed by ("service_name"); "" = per action
  bool is_default = false;  // true when global_default_cooldown applied
};

struct BreakerSettings {
  bool enabled = true;
  int64_t failure_threshold = 3;
  Duration failure_window = std::chrono::seconds(300);
  Duration open_duration = std::chrono::seconds(600);
  std::vector<std::string> applies_to;  // empty: every action
  bool appliesTo(std::string_view action_type) const;
};

// The fleet-wide budget of automatic actions: more than `max_actions` executed without an
// approval within `window` and the brain stops acting by itself and asks the admin.
struct BudgetSettings {
  bool enabled = true;
  int64_t max_actions = 10;
  Duration window = std::chrono::minutes(15);
};

enum class TimeoutBehavior { kDeny, kExpire };
std::string_view toString(TimeoutBehavior behavior);

struct ApprovalSettings {
  Duration default_timeout = std::chrono::seconds(300);
  Duration max_timeout = std::chrono::seconds(3600);
  TimeoutBehavior timeout_behavior = TimeoutBehavior::kDeny;
  std::map<std::string, Duration, std::less<>> overrides;  // action_overrides[]
};

// approvals.yaml `autonomy_levels`: a level may be made stricter than its definition (N2 with
// allow_safe_actions false only suggests), never looser (the loader rejects that).
struct LevelPermissions {
  bool allow_safe_actions = false;
  bool allow_risky_actions = false;
};

// Everything a decision reads about one action type, resolved once when the policy is built, so
// per-message work looks nothing up again. Each field is what the Policy method named beside it
// answers for the action type.
struct ActionProfile {
  SafetyClass classification = SafetyClass::kUnknown;  // classify()
  // action()->where ("actions_safe.yaml:12"); for an exec action in neither list, its declaration
  // and why it is RISKY; "" for an action nobody declared (UNKNOWN).
  std::string listed_at;
  Cooldown cooldown;                    // cooldownFor()
  std::optional<RateLimit> rate_limit;  // rateLimitFor()
  Duration approval_timeout{};          // approvalTimeout()
  bool breaker_applies = false;         // breaker().appliesTo()
};

// One rung of a rule's escalation ladder.
struct Step {
  std::string action_type;
  Json parameters = Json::object();  // string values may hold {placeholders} (template.h)
  std::optional<int64_t> attempts;   // failed outcomes before the next step; nullopt on the last
  std::string where;
  // Set when the policy is built (never by the YAML): `parameters` compiled, and the profile of
  // `action_type` in this policy.
  ParameterTemplate compiled_parameters;
  ActionProfile profile;
};

struct Rule {
  std::string name;
  std::string description;
  std::vector<std::string> incident_types;  // at least one
  contracts::IncidentSeverity min_severity = contracts::IncidentSeverity::kLow;
  std::map<std::string, std::string> tags;       // incident tag → glob (glob.h); all must match
  std::string target = "*";                      // glob on the incident's target (tag "target")
  std::vector<Step> steps;                       // at least one
  Duration reset_after = std::chrono::hours(1);  // failures older than this are forgotten
  std::string where;
};

class Policy {
 public:
  // Reads and validates every file of `directory`. Errors are kInvalidArgument, one per line,
  // each "<file>:<line>: <key path>: <what was expected>", e.g.
  //   policies/actions_safe.yaml:14: safe_actions[2].max_frequency: expected 'unlimited' or
  //   'N per second|minute|hour|day', got '5 per fortnight'
  static Result<std::shared_ptr<const Policy>> load(const std::filesystem::path& directory);

  // The policy in force when none could be loaded: no rules, no action SAFE, every cooldown and
  // limit at its default. `problem` says why (shown in decisions and `orion policy` output).
  static std::shared_ptr<const Policy> failClosed(std::string problem);

  // False for failClosed(); problem() then says why.
  bool loaded() const { return problem_.empty(); }
  const std::string& problem() const { return problem_; }

  // SAFE when listed in actions_safe.yaml, RISKY when in actions_risky.yaml; an exec action
  // (exec_actions.yaml) listed in neither is RISKY; anything else is UNKNOWN.
  SafetyClass classify(std::string_view action_type) const;
  // The same, made stricter by what the executor declares: `destructive` turns SAFE into RISKY.
  // Never makes anything safer (UNKNOWN stays UNKNOWN whatever is declared).
  SafetyClass classify(std::string_view action_type,
                       std::optional<DeclaredRisk> declared_risk) const;

  // The entry of `action_type` in either list, or nullptr.
  const ActionEntry* action(std::string_view action_type) const;
  const std::map<std::string, ActionEntry, std::less<>>& actions() const { return actions_; }

  Cooldown cooldownFor(std::string_view action_type) const;
  // The value of the parameter the action's cooldown applies per, as text ("jellyfin"); "" when
  // the cooldown applies per action type or the parameter is missing.
  std::string cooldownKey(std::string_view action_type, const Json& parameters) const;
  // What the action acts on, for per-target breakers: the applies_per parameter, else the first
  // of service_name, container_id, device_id, resource, node present in `parameters`; else "".
  std::string targetOf(std::string_view action_type, const Json& parameters) const;
  // cooldownKey() and targetOf() for an action whose cooldown is already at hand (a step's
  // profile): the same answers, without looking the action up.
  static std::string cooldownKeyFor(const Cooldown& cooldown, const Json& parameters);
  static std::string targetFor(const Cooldown& cooldown, const Json& parameters);

  std::optional<RateLimit> rateLimitFor(std::string_view action_type) const;
  // action_overrides, else the RISKY entry's approval_timeout, else default_timeout; never more
  // than max_timeout.
  Duration approvalTimeout(std::string_view action_type) const;
  Duration decisionCooldown() const { return decision_cooldown_; }
  const BreakerSettings& breaker() const { return breaker_; }
  const BudgetSettings& budget() const { return budget_; }
  const ApprovalSettings& approvals() const { return approvals_; }
  LevelPermissions permissions(contracts::AutonomyLevel level) const;
  const std::vector<Rule>& rules() const { return rules_; }
  // The answers of the methods above for `action_type`, in one value (rule steps carry theirs).
  ActionProfile profileOf(std::string_view action_type) const;

  // diagnostics.yaml: run_diagnostic's allow-list. nullptr for an undeclared type.
  const Diagnostic* diagnostic(std::string_view diagnostic_type) const;
  const std::map<std::string, Diagnostic, std::less<>>& diagnostics() const { return diagnostics_; }
  // exec_actions.yaml: the declared command actions. nullptr for an undeclared type.
  const ExecAction* execAction(std::string_view action_type) const;
  const std::map<std::string, ExecAction, std::less<>>& execActions() const {
    return exec_actions_;
  }

  const std::filesystem::path& directory() const { return directory_; }
  // "fnv1a64:<16 hex>" over the files' names and bytes: which snapshot made a decision.
  const std::string& digest() const { return digest_; }
  // "7 rules; 5 SAFE and 7 RISKY actions (2 of them exec actions); 4 diagnostics" (or the
  // problem of a fail-closed policy).
  std::string summary() const;

 private:
  friend class PolicyBuilder;  // loader.cc
  Policy() = default;

  std::filesystem::path directory_;
  std::string problem_;
  std::string digest_ = "none";
  std::map<std::string, ActionEntry, std::less<>> actions_;
  std::map<std::string, Cooldown, std::less<>> cooldowns_;
  Duration global_default_cooldown_ = std::chrono::seconds(60);
  Duration decision_cooldown_ = std::chrono::seconds(30);
  BreakerSettings breaker_;
  BudgetSettings budget_;
  ApprovalSettings approvals_;
  std::map<contracts::AutonomyLevel, LevelPermissions> permissions_;
  std::vector<Rule> rules_;
  std::map<std::string, Diagnostic, std::less<>> diagnostics_;
  std::map<std::string, ExecAction, std::less<>> exec_actions_;
};

using PolicyPtr = std::shared_ptr<const Policy>;

}  // namespace orion::policy
