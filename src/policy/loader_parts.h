// The pieces of Policy::load(), one per file. Internal to the policy module.
//
// Each parser reads one file's YAML root into a PolicyDraft and reports every problem to the
// Diagnostics; crossCheck() then checks what spans files (an action named in cooldowns, overrides,
// breaker or rules must be classified by one of the two lists; no action in both; a rule step's
// parameters must carry what the action's cooldown applies per). loader.cc turns a draft without
// errors into a Policy.
#pragma once

#include <yaml-cpp/yaml.h>

#include <map>
#include <string>
#include <vector>

#include "config/diagnostics.h"
#include "policy/policy.h"

namespace orion::policy {

// A name used somewhere, and where, for cross-file checks.
struct Reference {
  std::string action_type;
  std::string location;  // "<file>:<line>"
  std::string path;      // "action_cooldowns[2].action_type"
};

struct PolicyDraft {
  std::map<std::string, ActionEntry, std::less<>> actions;
  std::vector<Reference> duplicates;  // a second listing of an action (either file)
  std::map<std::string, Cooldown, std::less<>> cooldowns;
  Duration global_default_cooldown = std::chrono::seconds(60);
  Duration decision_cooldown = std::chrono::seconds(30);
  BreakerSettings breaker;
  BudgetSettings budget;
  ApprovalSettings approvals;
  std::map<contracts::AutonomyLevel, LevelPermissions> permissions;
  std::vector<Rule> rules;
  std::vector<Reference> references;  // every action named outside the two lists
  std::map<std::string, Diagnostic, std::less<>> diagnostics;
  std::map<std::string, ExecAction, std::less<>> exec_actions;
};

// `file` is the path as shown in messages ("policies/actions_safe.yaml").
void parseActions(const YAML::Node& root, const std::string& file, SafetyClass listed_as,
                  PolicyDraft& draft, config::Diagnostics& diagnostics);
void parseCooldowns(const YAML::Node& root, const std::string& file, PolicyDraft& draft,
                    config::Diagnostics& diagnostics);
void parseApprovals(const YAML::Node& root, const std::string& file, PolicyDraft& draft,
                    config::Diagnostics& diagnostics);
void parseRules(const YAML::Node& root, const std::string& file, PolicyDraft& draft,
                config::Diagnostics& diagnostics);
// The two optional command files (commands.h).
void parseDiagnostics(const YAML::Node& root, const std::string& file, PolicyDraft& draft,
                      config::Diagnostics& diagnostics);
void parseExecActions(const YAML::Node& root, const std::string& file, PolicyDraft& draft,
                      config::Diagnostics& diagnostics);
void crossCheck(const PolicyDraft& draft, config::Diagnostics& diagnostics);

// The permissions each level is defined with (N0/N1 nothing, N2 SAFE, N3 SAFE and RISKY); a
// policy may only take permissions away.
LevelPermissions definedPermissions(contracts::AutonomyLevel level);

}  // namespace orion::policy
