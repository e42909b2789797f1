// Policy::load(): read the five files, parse each, check across files, build the snapshot.
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "common/time.h"
#include "config/suggest.h"
#include "config/text_file.h"
#include "config/yaml_document.h"
#include "policy/loader_parts.h"
#include "policy/policy.h"
#include "policy/yaml_fields.h"

namespace orion::policy {

namespace {

namespace fs = std::filesystem;

// FNV-1a, 64 bits: a stable identifier of the bytes a snapshot was built from (not a security
// hash; the audit trail's chain is what proves integrity).
void fnv1a(uint64_t& hash, std::string_view bytes) {
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
}

// The file's one YAML document, or nothing (reported) when it is missing or not YAML.
std::optional<YAML::Node> readDocument(const fs::path& path, const std::string& shown,
                                       uint64_t& digest, config::Diagnostics& diagnostics) {
  auto text = config::readTextFile(path, "policy");
  if (!text) {
    diagnostics.error(text.status().message());
    return std::nullopt;
  }
  fnv1a(digest, path.filename().string());
  fnv1a(digest, *text);
  // loadYamlDocument, not YAML::Load: yaml-cpp 0.7 can loop forever on some malformed input.
  auto root = config::loadYamlDocument(*text, shown);
  if (!root) {
    diagnostics.error(root.status().message());
    return std::nullopt;
  }
  if (!root->IsDefined() || root->IsNull()) {
    diagnostics.error(shown + ":1", "empty file (expected a mapping with version: \"1.0\")");
    return std::nullopt;
  }
  return *root;
}

std::vector<std::string> listedNames(const PolicyDraft& draft) {
  std::vector<std::string> names;
  for (const auto& [name, entry] : draft.actions) names.push_back(name);
  return names;
}

}  // namespace

void crossCheck(const PolicyDraft& draft, config::Diagnostics& diagnostics) {
  for (const Reference& duplicate : draft.duplicates) {
    const ActionEntry& first = draft.actions.at(duplicate.action_type);
    diagnostics.error(duplicate.location,
                      fmt::format("{}: '{}' is already listed at {} (an action is either SAFE or "
                                  "RISKY, and listed once)",
                                  duplicate.path, duplicate.action_type, first.where));
  }
  std::vector<std::string> names = listedNames(draft);
  for (const auto& [name, exec] : draft.exec_actions) names.push_back(name);
  for (const Reference& reference : draft.references) {
    if (draft.actions.contains(reference.action_type)) continue;
    if (draft.exec_actions.contains(reference.action_type)) continue;  // RISKY unless listed
    std::string message = fmt::format("{}: '{}' is in neither {} nor {}", reference.path,
                                      reference.action_type, kSafeFile, kRiskyFile);
    if (auto near = config::nearest(reference.action_type, names)) {
      message += " (did you mean '" + *near + "'?)";
    } else {
      message += " (list it in one of them; an unlisted action would be UNKNOWN, hence RISKY)";
    }
    diagnostics.error(reference.location, message);
  }
  for (const auto& [name, entry] : draft.actions) {
    if (entry.approval_timeout && *entry.approval_timeout > draft.approvals.max_timeout) {
      diagnostics.error(entry.where,
                        fmt::format("{}: approval_timeout {} is over approvals.yaml max_timeout {}",
                                    name, formatDuration(*entry.approval_timeout),
                                    formatDuration(draft.approvals.max_timeout)));
    }
  }
  for (const auto& [name, exec] : draft.exec_actions) {
    auto listed = draft.actions.find(name);
    if (listed == draft.actions.end() || listed->second.classification != SafetyClass::kSafe ||
        exec.risk != DeclaredRisk::kDestructive) {
      continue;
    }
    diagnostics.error(listed->second.where,
                      fmt::format("'{}' is listed SAFE but its exec action ({}) declares risk "
                                  "destructive (the default): declare risk read_only or "
                                  "reversible there, or list it in {}",
                                  name, exec.where, kRiskyFile));
  }
  for (const Rule& rule : draft.rules) {
    for (const Step& step : rule.steps) {
      auto cooldown = draft.cooldowns.find(step.action_type);
      if (cooldown == draft.cooldowns.end() || cooldown->second.applies_per.empty()) continue;
      const std::string& key = cooldown->second.applies_per;
      if (!step.parameters.contains(key)) {
        diagnostics.error(step.where,
                          fmt::format("rule '{}': {}'s cooldown applies per '{}', so the step's "
                                      "parameters must set '{}'",
                                      rule.name, step.action_type, key, key));
      }
    }
  }
}

// Turns a checked draft into the immutable snapshot.
class PolicyBuilder {
 public:
  static std::shared_ptr<const Policy> build(PolicyDraft draft, fs::path directory,
                                             std::string digest) {
    std::shared_ptr<Policy> policy(new Policy());
    policy->directory_ = std::move(directory);
    policy->digest_ = std::move(digest);
    policy->actions_ = std::move(draft.actions);
    policy->cooldowns_ = std::move(draft.cooldowns);
    policy->global_default_cooldown_ = draft.global_default_cooldown;
    policy->decision_cooldown_ = draft.decision_cooldown;
    policy->breaker_ = std::move(draft.breaker);
    policy->budget_ = draft.budget;
    policy->approvals_ = std::move(draft.approvals);
    policy->permissions_ = std::move(draft.permissions);
    policy->rules_ = std::move(draft.rules);
    policy->diagnostics_ = std::move(draft.diagnostics);
    policy->exec_actions_ = std::move(draft.exec_actions);
    // What decisions read per step, resolved now that every table is in place. A template the
    // loader accepted always compiles; one that did not would render nothing, and the brain falls
    // back to renderParameters() on the source.
    for (Rule& rule : policy->rules_) {
      for (Step& step : rule.steps) {
        step.compiled_parameters =
            ParameterTemplate::compile(step.parameters).valueOr(ParameterTemplate());
        step.profile = policy->profileOf(step.action_type);
      }
    }
    return policy;
  }

  static std::shared_ptr<const Policy> failClosed(std::string problem) {
    std::shared_ptr<Policy> policy(new Policy());
    policy->problem_ = problem.empty() ? "no policy loaded" : std::move(problem);
    for (auto level : {contracts::AutonomyLevel::kN0, contracts::AutonomyLevel::kN1,
                       contracts::AutonomyLevel::kN2, contracts::AutonomyLevel::kN3}) {
      policy->permissions_[level] = definedPermissions(level);
    }
    return policy;
  }
};

Result<std::shared_ptr<const Policy>> Policy::load(const fs::path& directory) {
  std::error_code error;
  if (!fs::is_directory(directory, error)) {
    return invalidArgument(directory.string() + ": policy directory not found (expected " +
                           std::string(kSafeFile) + ", " + std::string(kRiskyFile) + ", " +
                           std::string(kCooldownsFile) + ", " + std::string(kApprovalsFile) +
                           " and " + std::string(kRulesFile) + ")");
  }
  config::Diagnostics diagnostics;
  PolicyDraft draft;
  uint64_t digest = 0xcbf29ce484222325ULL;
  auto each = [&](std::string_view name, auto parse) {
    fs::path path = directory / name;
    std::string shown = path.string();
    if (auto root = readDocument(path, shown, digest, diagnostics)) parse(*root, shown);
  };
  each(kSafeFile, [&](const YAML::Node& root, const std::string& file) {
    parseActions(root, file, SafetyClass::kSafe, draft, diagnostics);
  });
  each(kRiskyFile, [&](const YAML::Node& root, const std::string& file) {
    parseActions(root, file, SafetyClass::kRisky, draft, diagnostics);
  });
  // approvals before cooldowns and rules: their checks use max_timeout.
  each(kApprovalsFile, [&](const YAML::Node& root, const std::string& file) {
    parseApprovals(root, file, draft, diagnostics);
  });
  each(kCooldownsFile, [&](const YAML::Node& root, const std::string& file) {
    parseCooldowns(root, file, draft, diagnostics);
  });
  each(kRulesFile, [&](const YAML::Node& root, const std::string& file) {
    parseRules(root, file, draft, diagnostics);
  });
  // The command files are optional: without one, nothing of its kind is declared.
  auto optional = [&](std::string_view name, auto parse) {
    std::error_code missing;
    if (fs::exists(directory / name, missing)) each(name, parse);
  };
  optional(kDiagnosticsFile, [&](const YAML::Node& root, const std::string& file) {
    parseDiagnostics(root, file, draft, diagnostics);
  });
  optional(kExecActionsFile, [&](const YAML::Node& root, const std::string& file) {
    parseExecActions(root, file, draft, diagnostics);
  });
  if (!diagnostics.hasErrors()) crossCheck(draft, diagnostics);
  if (diagnostics.hasErrors()) return invalidArgument(diagnostics.joined());
  return PolicyBuilder::build(std::move(draft), directory, fmt::format("fnv1a64:{:016x}", digest));
}

std::shared_ptr<const Policy> Policy::failClosed(std::string problem) {
  return PolicyBuilder::failClosed(std::move(problem));
}

}  // namespace orion::policy
