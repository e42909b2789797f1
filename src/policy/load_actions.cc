// actions_safe.yaml and actions_risky.yaml: the two classification lists.
#include <fmt/format.h>

#include "policy/loader_parts.h"
#include "policy/yaml_fields.h"

namespace orion::policy {
namespace {

using namespace std::chrono_literals;

const std::vector<std::string> kSafeKeys = {
    "action_type",   "description",   "reversible", "external_side_effects",
    "justification", "max_frequency", "constraints"};
const std::vector<std::string> kRiskyKeys = {
    "action_type",   "description",   "reversible",        "external_side_effects",
    "blast_radius",  "justification", "requires_approval", "approval_timeout",
    "max_frequency", "constraints"};

void parseEntry(const YAML::Node& node, const std::string& file, const std::string& path,
                SafetyClass listed_as, PolicyDraft& draft, config::Diagnostics& diagnostics) {
  bool risky = listed_as == SafetyClass::kRisky;
  MapReader entry(node, file, path, diagnostics, risky ? kRiskyKeys : kSafeKeys);
  if (!entry.isMap()) return;
  auto action_type = entry.name("action_type", true);
  ActionEntry action;
  action.classification = listed_as;
  action.description = entry.text("description", false).value_or("");
  action.where = entry.at("action_type");
  entry.text("justification", false);
  entry.boolean("reversible", false);
  entry.boolean("external_side_effects", false);
  entry.textList("constraints", false);
  if (auto frequency = entry.text("max_frequency", false)) {
    auto parsed = parseRateLimit(*frequency);
    if (parsed) {
      action.max_frequency = *parsed;
    } else {
      entry.error("max_frequency", parsed.status().message());
    }
  }
  if (risky) {
    if (auto radius = entry.text("blast_radius", false);
        radius && *radius != "low" && *radius != "medium" && *radius != "high") {
      entry.error("blast_radius", "expected low, medium or high, got '" + *radius + "'");
    }
    if (auto requires_approval = entry.boolean("requires_approval", false);
        requires_approval && !*requires_approval) {
      entry.error("requires_approval",
                  "expected true: a RISKY action always needs an admin's approval (list it in "
                  "actions_safe.yaml to run it without one)");
    }
    action.approval_timeout = entry.duration("approval_timeout", 1s, 24h, false);
  }
  if (!action_type) return;
  action.action_type = *action_type;
  if (draft.actions.contains(*action_type)) {
    draft.duplicates.push_back(
        Reference{*action_type, entry.at("action_type"), entry.pathOf("action_type")});
    return;
  }
  draft.actions.emplace(*action_type, std::move(action));
}

}  // namespace

void parseActions(const YAML::Node& root, const std::string& file, SafetyClass listed_as,
                  PolicyDraft& draft, config::Diagnostics& diagnostics) {
  std::string list = listed_as == SafetyClass::kSafe ? "safe_actions" : "risky_actions";
  MapReader top(root, file, "", diagnostics, {"version", list});
  if (!top.isMap()) return;
  top.expectText("version", "1.0");
  std::vector<YAML::Node> entries = listAt(top, list, true);
  for (size_t i = 0; i < entries.size(); ++i) {
    parseEntry(entries[i], file, fmt::format("{}[{}]", list, i), listed_as, draft, diagnostics);
  }
}

LevelPermissions definedPermissions(contracts::AutonomyLevel level) {
  switch (level) {
    case contracts::AutonomyLevel::kN0:
    case contracts::AutonomyLevel::kN1:
      return {false, false};
    case contracts::AutonomyLevel::kN2:
      return {true, false};
    case contracts::AutonomyLevel::kN3:
      return {true, true};
  }
  return {false, false};
}

}  // namespace orion::policy
