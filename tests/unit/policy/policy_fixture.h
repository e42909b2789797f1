// A small, valid policy directory for tests: five files that a test may replace one at a time to
// break exactly one thing. Shared by the policy and brain tests.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "testing/temp_dir.h"

namespace orion::testing {

// The shipped policy directory.
inline constexpr const char* kShippedPolicyDir = ORION_SOURCE_DIR "/policies";

inline constexpr std::string_view kSafeYaml = R"(version: "1.0"
safe_actions:
  - action_type: send_notification
    max_frequency: "5 per minute"
  - action_type: restart_container
    description: restart a container in place
    max_frequency: "6 per hour"
  - action_type: acknowledge_incident
    max_frequency: unlimited
)";

inline constexpr std::string_view kRiskyYaml = R"(version: "1.0"
risky_actions:
  - action_type: recreate_container
    requires_approval: true
    approval_timeout: 300s
  - action_type: prune_images
    blast_radius: medium
    approval_timeout: 600s
)";

inline constexpr std::string_view kCooldownsYaml = R"(version: "1.0"
global_settings:
  global_default_cooldown: 60s
  enforcement: strict
action_cooldowns:
  - action_type: restart_container
    cooldown: 300s
    applies_per: service_name
  - action_type: send_notification
    cooldown: 10s
    applies_per: notification_channel
  - action_type: acknowledge_incident
    cooldown: 0s
    applies_per: incident_id
incident_cooldowns:
  decision_cooldown: 30s
circuit_breaker:
  enabled: true
  failure_threshold: 3
  failure_window: 1h
  circuit_open_duration: 10m
  applies_to: [restart_container, recreate_container]
action_budget:
  enabled: true
  max_actions: 5
  window: 10m
)";

inline constexpr std::string_view kApprovalsYaml = R"(version: "1.0"
approval_settings:
  default_timeout: 300s
  max_timeout: 3600s
  timeout_behavior: deny
action_overrides:
  - action_type: prune_images
    timeout: 900s
autonomy_levels:
  N2:
    allow_safe_actions: true
    allow_risky_actions: false
)";

inline constexpr std::string_view kRulesYaml = R"(version: "1.0"
rules:
  - name: unhealthy-container
    match:
      incident_types: [service_outage]
      min_severity: medium
      tags:
        container_id: "*"
    steps:
      - action: restart_container
        parameters:
          service_name: "{service_name}"
          container_id: "{container_id}"
          node: "{node}"
        attempts: 2
      - action: recreate_container
        parameters:
          service_name: "{service_name}"
          container_id: "{container_id}"
        attempts: 1
      - action: send_notification
        parameters:
          notification_channel: default
          message: "{service_name} is still down"
  - name: disk-full
    match:
      incident_types: [metric_anomaly]
      min_severity: critical
      tags: {metric: disk_used_percent}
    steps:
      - action: prune_images
        parameters: {node: "{node}", mount: "{resource}"}
  - name: acknowledge
    match:
      incident_types: [service_outage, metric_anomaly, edge_device_failure, repeated_failures, correlation_detected]
      min_severity: medium
    steps:
      - action: acknowledge_incident
        parameters: {incident_id: "{incident_id}"}
)";

// Writes the five files into `dir` (at `sub`, default the directory itself), each replaced by
// `overrides[name]` when given. Returns the policy directory.
inline std::filesystem::path writePolicy(const TempDir& dir,
                                         const std::map<std::string, std::string>& overrides = {},
                                         std::string_view sub = "policies") {
  const std::map<std::string, std::string_view> files = {{"actions_safe.yaml", kSafeYaml},
                                                         {"actions_risky.yaml", kRiskyYaml},
                                                         {"cooldowns.yaml", kCooldownsYaml},
                                                         {"approvals.yaml", kApprovalsYaml},
                                                         {"rules.yaml", kRulesYaml}};
  for (const auto& [name, text] : files) {
    auto it = overrides.find(name);
    dir.write(std::string(sub) + "/" + name, it == overrides.end() ? text : it->second);
  }
  return dir.path() / std::string(sub);
}

}  // namespace orion::testing
