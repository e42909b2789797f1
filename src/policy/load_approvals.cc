// approvals.yaml: approval timeouts, per-action overrides and what each autonomy level allows.
#include <fmt/format.h>

#include "common/time.h"
#include "policy/loader_parts.h"
#include "policy/yaml_fields.h"

namespace orion::policy {
namespace {

using namespace std::chrono_literals;

// The reference's hard ceiling for an approval window: an admin's "yes" older than this is stale.
constexpr Duration kCeiling = std::chrono::hours(1);

void parseSettings(const MapReader& top, PolicyDraft& draft, config::Diagnostics& diagnostics) {
  if (!top.has("approval_settings")) return;
  MapReader settings(top.child("approval_settings"), top.file(), "approval_settings", diagnostics,
                     {"default_timeout", "max_timeout", "timeout_behavior", "approval_persistence",
                      "channels", "escalation_enabled"});
  if (!settings.isMap()) return;
  ApprovalSettings& out = draft.approvals;
  if (auto d = settings.duration("max_timeout", 1s, kCeiling, false)) out.max_timeout = *d;
  if (auto d = settings.duration("default_timeout", 1s, kCeiling, false)) {
    out.default_timeout = *d;
    if (*d > out.max_timeout) {
      settings.error("default_timeout", "expected at most max_timeout (" +
                                            formatDuration(out.max_timeout) + "), got " +
                                            formatDuration(*d));
    }
  }
  if (auto behavior = settings.text("timeout_behavior", false)) {
    if (*behavior == "deny") {
      out.timeout_behavior = TimeoutBehavior::kDeny;
    } else if (*behavior == "expire") {
      out.timeout_behavior = TimeoutBehavior::kExpire;
    } else {
      settings.error("timeout_behavior", "expected deny or expire, got '" + *behavior + "'");
    }
  }
  if (auto persistent = settings.boolean("approval_persistence", false);
      persistent && *persistent) {
    settings.error("approval_persistence",
                   "expected false: an approval is single-use and is never reused");
  }
  settings.boolean("escalation_enabled", false);
  std::vector<YAML::Node> channels = listAt(settings, "channels", false);
  for (size_t i = 0; i < channels.size(); ++i) {
    MapReader channel(channels[i], top.file(), fmt::format("approval_settings.channels[{}]", i),
                      diagnostics, {"type", "enabled", "description"});
    channel.name("type", true);
    channel.boolean("enabled", false);
    channel.text("description", false);
  }
}

void parseOverrides(const MapReader& top, PolicyDraft& draft, config::Diagnostics& diagnostics) {
  std::vector<YAML::Node> entries = listAt(top, "action_overrides", false);
  for (size_t i = 0; i < entries.size(); ++i) {
    MapReader entry(entries[i], top.file(), fmt::format("action_overrides[{}]", i), diagnostics,
                    {"action_type", "timeout", "reason"});
    if (!entry.isMap()) continue;
    auto action_type = entry.name("action_type", true);
    auto timeout = entry.duration("timeout", 1s, kCeiling, true);
    entry.text("reason", false);
    if (!action_type || !timeout) continue;
    draft.references.push_back(
        Reference{*action_type, entry.at("action_type"), entry.pathOf("action_type")});
    if (*timeout > draft.approvals.max_timeout) {
      entry.error("timeout", "expected at most max_timeout (" +
                                 formatDuration(draft.approvals.max_timeout) + "), got " +
                                 formatDuration(*timeout));
    }
    if (!draft.approvals.overrides.emplace(*action_type, *timeout).second) {
      entry.error("action_type", "'" + *action_type + "' already has an override above");
    }
  }
}

void parseLevels(const MapReader& top, PolicyDraft& draft, config::Diagnostics& diagnostics) {
  for (auto level : {contracts::AutonomyLevel::kN0, contracts::AutonomyLevel::kN1,
                     contracts::AutonomyLevel::kN2, contracts::AutonomyLevel::kN3}) {
    draft.permissions[level] = definedPermissions(level);
  }
  if (!top.has("autonomy_levels")) return;
  MapReader levels(top.child("autonomy_levels"), top.file(), "autonomy_levels", diagnostics,
                   {"N0", "N1", "N2", "N3"});
  if (!levels.isMap()) return;
  for (auto& [level, permissions] : draft.permissions) {
    std::string name(contracts::toString(level));
    if (!levels.has(name)) continue;
    MapReader entry(levels.child(name), top.file(), "autonomy_levels." + name, diagnostics,
                    {"allow_safe_actions", "allow_risky_actions", "description"});
    entry.text("description", false);
    LevelPermissions defined = definedPermissions(level);
    struct Flag {
      const char* key;
      bool defined;
      bool* out;
    };
    for (Flag flag :
         {Flag{"allow_safe_actions", defined.allow_safe_actions, &permissions.allow_safe_actions},
          Flag{"allow_risky_actions", defined.allow_risky_actions,
               &permissions.allow_risky_actions}}) {
      auto allowed = entry.boolean(flag.key, false);
      if (!allowed) continue;
      if (*allowed && !flag.defined) {
        entry.error(flag.key, fmt::format("expected false: {} never allows this (a policy can "
                                          "only make a level stricter)",
                                          name));
        continue;
      }
      *flag.out = *allowed;
    }
  }
}

}  // namespace

void parseApprovals(const YAML::Node& root, const std::string& file, PolicyDraft& draft,
                    config::Diagnostics& diagnostics) {
  MapReader top(root, file, "", diagnostics,
                {"version", "approval_settings", "action_overrides", "autonomy_levels",
                 "default_autonomy_level"});
  parseLevels(top, draft, diagnostics);
  if (!top.isMap()) return;
  top.expectText("version", "1.0");
  parseSettings(top, draft, diagnostics);
  parseOverrides(top, draft, diagnostics);
  if (auto level = top.text("default_autonomy_level", false);
      level && !contracts::parseAutonomyLevel(*level)) {
    top.error("default_autonomy_level", "expected N0, N1, N2 or N3, got '" + *level + "'");
  }
}

}  // namespace orion::policy
