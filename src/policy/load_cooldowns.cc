// cooldowns.yaml: global default, per-action cooldowns, the incident decision cooldown, the
// circuit breaker and the fleet-wide action budget.
#include <fmt/format.h>

#include "policy/loader_parts.h"
#include "policy/yaml_fields.h"

namespace orion::policy {
namespace {

using namespace std::chrono_literals;

constexpr Duration kMaxCooldown = std::chrono::hours(24 * 7);

void parseGlobal(const MapReader& top, PolicyDraft& draft, config::Diagnostics& diagnostics) {
  if (!top.has("global_settings")) return;
  MapReader global(top.child("global_settings"), top.file(), "global_settings", diagnostics,
                   {"global_default_cooldown", "enforcement", "state_backend"});
  if (!global.isMap()) return;
  if (auto d = global.duration("global_default_cooldown", 0s, kMaxCooldown, false)) {
    draft.global_default_cooldown = *d;
  }
  if (auto enforcement = global.text("enforcement", false);
      enforcement && *enforcement != "strict") {
    // "advisory" would let a cooldown be ignored; ORION only enforces.
    global.error("enforcement",
                 "expected strict (ORION always enforces cooldowns), got '" + *enforcement + "'");
  }
  // state_backend is the original's note on where state lived; ORION keeps it in its own state
  // store whatever it says, so any name is accepted.
  global.text("state_backend", false);
}

void parseActionCooldowns(const MapReader& top, PolicyDraft& draft,
                          config::Diagnostics& diagnostics) {
  std::vector<YAML::Node> entries = listAt(top, "action_cooldowns", false);
  for (size_t i = 0; i < entries.size(); ++i) {
    std::string path = fmt::format("action_cooldowns[{}]", i);
    MapReader entry(entries[i], top.file(), path, diagnostics,
                    {"action_type", "cooldown", "reason", "applies_per"});
    if (!entry.isMap()) continue;
    auto action_type = entry.name("action_type", true);
    auto cooldown = entry.duration("cooldown", 0s, kMaxCooldown, true);
    auto applies_per = entry.name("applies_per", false);
    entry.text("reason", false);
    if (!action_type || !cooldown) continue;
    draft.references.push_back(
        Reference{*action_type, entry.at("action_type"), entry.pathOf("action_type")});
    if (draft.cooldowns.contains(*action_type)) {
      entry.error("action_type", "'" + *action_type + "' already has a cooldown above");
      continue;
    }
    draft.cooldowns.emplace(*action_type, Cooldown{*cooldown, applies_per.value_or(""), false});
  }
}

void parseBreaker(const MapReader& top, PolicyDraft& draft, config::Diagnostics& diagnostics) {
  if (!top.has("circuit_breaker")) return;
  MapReader breaker(
      top.child("circuit_breaker"), top.file(), "circuit_breaker", diagnostics,
      {"enabled", "failure_threshold", "failure_window", "circuit_open_duration", "applies_to"});
  if (!breaker.isMap()) return;
  BreakerSettings& out = draft.breaker;
  if (auto enabled = breaker.boolean("enabled", false)) out.enabled = *enabled;
  if (auto n = breaker.integer("failure_threshold", 1, 1000000, false)) out.failure_threshold = *n;
  if (auto d = breaker.duration("failure_window", 1s, kMaxCooldown, false)) out.failure_window = *d;
  if (auto d = breaker.duration("circuit_open_duration", 0s, kMaxCooldown, false)) {
    out.open_duration = *d;
  }
  std::vector<YAML::Node> applies = listAt(breaker, "applies_to", false);
  for (size_t i = 0; i < applies.size(); ++i) {
    std::string path = fmt::format("circuit_breaker.applies_to[{}]", i);
    if (!applies[i].IsScalar() || !isIdentifier(applies[i].Scalar())) {
      diagnostics.error(locationOf(top.file(), applies[i]),
                        path + ": expected an action name, got " + describeNode(applies[i]));
      continue;
    }
    out.applies_to.push_back(applies[i].Scalar());
    draft.references.push_back(
        Reference{applies[i].Scalar(), locationOf(top.file(), applies[i]), path});
  }
}

void parseBudget(const MapReader& top, PolicyDraft& draft, config::Diagnostics& diagnostics) {
  if (!top.has("action_budget")) return;
  MapReader budget(top.child("action_budget"), top.file(), "action_budget", diagnostics,
                   {"enabled", "max_actions", "window", "reason"});
  if (!budget.isMap()) return;
  if (auto enabled = budget.boolean("enabled", false)) draft.budget.enabled = *enabled;
  if (auto n = budget.integer("max_actions", 1, 100000, false)) draft.budget.max_actions = *n;
  if (auto d = budget.duration("window", 1s, std::chrono::hours(24), false)) {
    draft.budget.window = *d;
  }
  budget.text("reason", false);
}

}  // namespace

void parseCooldowns(const YAML::Node& root, const std::string& file, PolicyDraft& draft,
                    config::Diagnostics& diagnostics) {
  MapReader top(root, file, "", diagnostics,
                {"version", "global_settings", "action_cooldowns", "incident_cooldowns",
                 "circuit_breaker", "action_budget"});
  if (!top.isMap()) return;
  top.expectText("version", "1.0");
  parseGlobal(top, draft, diagnostics);
  parseActionCooldowns(top, draft, diagnostics);
  if (top.has("incident_cooldowns")) {
    MapReader incident(top.child("incident_cooldowns"), file, "incident_cooldowns", diagnostics,
                       {"decision_cooldown", "reason"});
    if (auto d = incident.duration("decision_cooldown", 0s, kMaxCooldown, false)) {
      draft.decision_cooldown = *d;
    }
    incident.text("reason", false);
  }
  parseBreaker(top, draft, diagnostics);
  parseBudget(top, draft, diagnostics);
}

}  // namespace orion::policy
