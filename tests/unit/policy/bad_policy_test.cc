// Every bad policy shape is refused with the file, the line, the key and what was expected; and
// several mistakes are reported together.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "policy/policy.h"
#include "policy_fixture.h"

namespace orion::policy {
namespace {

using testing::TempDir;
using testing::writePolicy;

struct BadCase {
  std::string name;
  std::string file;
  std::string content;
  std::vector<std::string> expected;  // substrings of the error; the first includes file:line
};

// A safe list whose entry is replaced by `entry` (indented as a list item).
std::string safeWith(const std::string& entry) { return std::string(testing::kSafeYaml) + entry; }
std::string risky(const std::string& entries) {
  return "version: \"1.0\"\nrisky_actions:\n" + entries;
}
std::string cooldownsWith(const std::string& text) { return "version: \"1.0\"\n" + text; }
std::string rulesWith(const std::string& rules) { return "version: \"1.0\"\nrules:\n" + rules; }

const std::string kStep =
    "    steps:\n      - action: acknowledge_incident\n        parameters: {incident_id: x}\n";

std::vector<BadCase> badCases() {
  return {
      {"missing version",
       "actions_safe.yaml",
       "safe_actions: []\n",
       {"actions_safe.yaml:1: version: missing"}},
      {"wrong version",
       "actions_safe.yaml",
       "version: \"2.0\"\nsafe_actions: []\n",
       {"actions_safe.yaml:1: version: expected \"1.0\", got '2.0'"}},
      {"list is a mapping",
       "actions_safe.yaml",
       "version: \"1.0\"\nsafe_actions: {a: 1}\n",
       {"actions_safe.yaml:2: safe_actions: expected a list, got a mapping"}},
      {"entry is a scalar",
       "actions_safe.yaml",
       "version: \"1.0\"\nsafe_actions:\n  - oops\n",
       {"actions_safe.yaml:3: safe_actions[0]: expected a mapping, got 'oops'"}},
      {"misspelt key",
       "actions_safe.yaml",
       "version: \"1.0\"\nsafe_actions:\n  - acton_type: send_notification\n",
       {"actions_safe.yaml:3: safe_actions[0].acton_type: unknown key (did you mean "
        "'action_type'?)",
        "safe_actions[0].action_type: missing"}},
      {"bad action name",
       "actions_safe.yaml",
       "version: \"1.0\"\nsafe_actions:\n  - action_type: Restart Container\n",
       {"actions_safe.yaml:3: safe_actions[0].action_type: expected a name of lower-case"}},
      {"bad max_frequency",
       "actions_safe.yaml",
       safeWith("  - action_type: run_diagnostic\n    max_frequency: 5 per fortnight\n"),
       {"actions_safe.yaml:11: safe_actions[3].max_frequency: expected 'unlimited' or 'N per "
        "second|minute|hour|day', got '5 per fortnight'"}},
      {"zero max_frequency",
       "actions_safe.yaml",
       safeWith("  - action_type: run_diagnostic\n    max_frequency: 0 per hour\n"),
       {"safe_actions[3].max_frequency: expected 'unlimited'"}},
      {"reversible not a boolean",
       "actions_safe.yaml",
       safeWith("  - action_type: run_diagnostic\n    reversible: maybe\n"),
       {"actions_safe.yaml:11: safe_actions[3].reversible: expected true or false, got 'maybe'"}},
      {"listed twice in one file",
       "actions_safe.yaml",
       safeWith("  - action_type: send_notification\n"),
       {"actions_safe.yaml:10: safe_actions[3].action_type: 'send_notification' is already "
        "listed at",
        "actions_safe.yaml:3"}},
      {"both SAFE and RISKY",
       "actions_risky.yaml",
       risky("  - action_type: restart_container\n  - action_type: recreate_container\n  - "
             "action_type: prune_images\n"),
       {"actions_risky.yaml:3: risky_actions[0].action_type: 'restart_container' is already "
        "listed at",
        "either SAFE or RISKY"}},
      {"risky without approval",
       "actions_risky.yaml",
       risky("  - action_type: recreate_container\n    requires_approval: false\n  - action_type: "
             "prune_images\n"),
       {"actions_risky.yaml:4: risky_actions[0].requires_approval: expected true"}},
      {"bad blast radius",
       "actions_risky.yaml",
       risky("  - action_type: recreate_container\n    blast_radius: galactic\n  - action_type: "
             "prune_images\n"),
       {"risky_actions[0].blast_radius: expected low, medium or high, got 'galactic'"}},
      {"risky timeout over the ceiling",
       "actions_risky.yaml",
       risky("  - action_type: recreate_container\n    approval_timeout: 2d\n  - action_type: "
             "prune_images\n"),
       {"actions_risky.yaml:4: risky_actions[0].approval_timeout: expected a duration from 1s to "
        "1d"}},
      {"risky timeout over max_timeout",
       "actions_risky.yaml",
       risky("  - action_type: recreate_container\n    approval_timeout: 2h\n  - action_type: "
             "prune_images\n"),
       {"actions_risky.yaml:3: recreate_container: approval_timeout 2h is over approvals.yaml "
        "max_timeout 1h"}},
      {"cooldown not a duration",
       "cooldowns.yaml",
       cooldownsWith("action_cooldowns:\n  - action_type: restart_container\n    cooldown: 5 "
                     "minutes\n"),
       {"cooldowns.yaml:4: action_cooldowns[0].cooldown: expected a duration from 0s to 7d"}},
      {"cooldown missing",
       "cooldowns.yaml",
       cooldownsWith("action_cooldowns:\n  - action_type: restart_container\n"),
       {"cooldowns.yaml:3: action_cooldowns[0].cooldown: missing"}},
      {"cooldown for an unlisted action",
       "cooldowns.yaml",
       cooldownsWith("action_cooldowns:\n  - action_type: restart_containr\n    cooldown: 5m\n"),
       {"cooldowns.yaml:3: action_cooldowns[0].action_type: 'restart_containr' is in neither "
        "actions_safe.yaml nor actions_risky.yaml (did you mean 'restart_container'?)"}},
      {"two cooldowns for one action",
       "cooldowns.yaml",
       cooldownsWith("action_cooldowns:\n  - action_type: send_notification\n    cooldown: 5m\n  "
                     "- action_type: send_notification\n    cooldown: 1m\n"),
       {"cooldowns.yaml:5: action_cooldowns[1].action_type: 'send_notification' already has a "
        "cooldown"}},
      {"advisory enforcement",
       "cooldowns.yaml",
       cooldownsWith("global_settings:\n  enforcement: advisory\n"),
       {"cooldowns.yaml:3: global_settings.enforcement: expected strict"}},
      {"breaker threshold zero",
       "cooldowns.yaml",
       cooldownsWith("circuit_breaker:\n  failure_threshold: 0\n"),
       {"cooldowns.yaml:3: circuit_breaker.failure_threshold: expected an integer from 1 to"}},
      {"breaker for an unlisted action",
       "cooldowns.yaml",
       cooldownsWith("circuit_breaker:\n  applies_to: [restart_container, reboot_host]\n"),
       {"cooldowns.yaml:3: circuit_breaker.applies_to[1]: 'reboot_host' is in neither"}},
      {"budget of zero actions",
       "cooldowns.yaml",
       cooldownsWith("action_budget:\n  max_actions: 0\n"),
       {"cooldowns.yaml:3: action_budget.max_actions: expected an integer from 1 to 100000, got "
        "'0'"}},
      {"unknown section",
       "cooldowns.yaml",
       cooldownsWith("circuit_breakers:\n  enabled: true\n"),
       {"cooldowns.yaml:2: circuit_breakers: unknown key (did you mean 'circuit_breaker'?)"}},
      {"default over max timeout",
       "approvals.yaml",
       "version: \"1.0\"\napproval_settings:\n  default_timeout: 30m\n  max_timeout: 10m\n",
       {"approvals.yaml:3: approval_settings.default_timeout: expected at most max_timeout (10m)"}},
      {"max timeout over an hour",
       "approvals.yaml",
       "version: \"1.0\"\napproval_settings:\n  max_timeout: 2h\n",
       {"approvals.yaml:3: approval_settings.max_timeout: expected a duration from 1s to 1h"}},
      {"bad timeout behaviour",
       "approvals.yaml",
       "version: \"1.0\"\napproval_settings:\n  timeout_behavior: approve\n",
       {"approval_settings.timeout_behavior: expected deny or expire, got 'approve'"}},
      {"persistent approvals",
       "approvals.yaml",
       "version: \"1.0\"\napproval_settings:\n  approval_persistence: true\n",
       {"approvals.yaml:3: approval_settings.approval_persistence: expected false"}},
      {"override over max timeout",
       "approvals.yaml",
       "version: \"1.0\"\napproval_settings:\n  max_timeout: 10m\naction_overrides:\n  - "
       "action_type: prune_images\n    timeout: 20m\n",
       {"approvals.yaml:6: action_overrides[0].timeout: expected at most max_timeout (10m)"}},
      {"override for an unlisted action",
       "approvals.yaml",
       "version: \"1.0\"\naction_overrides:\n  - action_type: nuke\n    timeout: 1m\n",
       {"approvals.yaml:3: action_overrides[0].action_type: 'nuke' is in neither"}},
      {"a level allowed more than its definition",
       "approvals.yaml",
       "version: \"1.0\"\nautonomy_levels:\n  N2:\n    allow_risky_actions: true\n",
       {"approvals.yaml:4: autonomy_levels.N2.allow_risky_actions: expected false: N2 never "
        "allows this"}},
      {"unknown level",
       "approvals.yaml",
       "version: \"1.0\"\nautonomy_levels:\n  N4: {}\n",
       {"approvals.yaml:3: autonomy_levels.N4: unknown key"}},
      {"bad default level",
       "approvals.yaml",
       "version: \"1.0\"\ndefault_autonomy_level: N5\n",
       {"approvals.yaml:2: default_autonomy_level: expected N0, N1, N2 or N3, got 'N5'"}},
      {"rules is missing", "rules.yaml", "version: \"1.0\"\n", {"rules.yaml:1: rules: missing"}},
      {"rule without match",
       "rules.yaml",
       rulesWith("  - name: r1\n" + kStep),
       {"rules.yaml:3: rules[0].match: missing (expected a mapping with incident_types)"}},
      {"unknown incident type",
       "rules.yaml",
       rulesWith("  - name: r1\n    match: {incident_types: [service_down]}\n" + kStep),
       {"rules.yaml:4: rules[0].match.incident_types: unknown incident type 'service_down'"}},
      {"bad min severity",
       "rules.yaml",
       rulesWith("  - name: r1\n    match: {incident_types: [service_outage], min_severity: "
                 "severe}\n" +
                 kStep),
       {"rules[0].match.min_severity: expected low, medium, high or critical, got 'severe'"}},
      {"rule without steps",
       "rules.yaml",
       rulesWith("  - name: r1\n    match: {incident_types: [service_outage]}\n"),
       {"rules.yaml:3: rules[0].steps: missing (expected a list)"}},
      {"duplicate rule name",
       "rules.yaml",
       rulesWith("  - name: r1\n    match: {incident_types: [service_outage]}\n" + kStep +
                 "  - name: r1\n    match: {incident_types: [metric_anomaly]}\n" + kStep),
       {"rules.yaml:8: rules[1].name: rule 'r1' is already defined above"}},
      {"ladder step without attempts",
       "rules.yaml",
       rulesWith("  - name: r1\n    match: {incident_types: [service_outage]}\n    steps:\n      "
                 "- action: send_notification\n        parameters: {notification_channel: a}\n   "
                 "   - action: acknowledge_incident\n        parameters: {incident_id: x}\n"),
       {"rules.yaml:6: rules[0].steps[0].attempts: missing (expected how many failed outcomes"}},
      {"last step with attempts",
       "rules.yaml",
       rulesWith("  - name: r1\n    match: {incident_types: [service_outage]}\n    steps:\n      "
                 "- action: acknowledge_incident\n        parameters: {incident_id: x}\n        "
                 "attempts: 2\n"),
       {"rules.yaml:8: rules[0].steps[0].attempts: the last step has no next step"}},
      {"step with an unlisted action",
       "rules.yaml",
       rulesWith("  - name: r1\n    match: {incident_types: [service_outage]}\n    steps:\n      "
                 "- action: reboot_host\n"),
       {"rules.yaml:6: rules[0].steps[0].action: 'reboot_host' is in neither"}},
      {"bad placeholder",
       "rules.yaml",
       rulesWith("  - name: r1\n    match: {incident_types: [service_outage]}\n    steps:\n      "
                 "- action: send_notification\n        parameters:\n          "
                 "notification_channel: a\n          message: \"{Service} is down\"\n"),
       {"rules.yaml:9: rules[0].steps[0].parameters.message: placeholder '{Service}': expected a "
        "name"}},
      {"unterminated placeholder",
       "rules.yaml",
       rulesWith("  - name: r1\n    match: {incident_types: [service_outage]}\n    steps:\n      "
                 "- action: send_notification\n        parameters:\n          "
                 "notification_channel: \"{node\"\n"),
       {"rules.yaml:8: rules[0].steps[0].parameters.notification_channel: unterminated '{'"}},
      {"cooldown entity not set by the step",
       "rules.yaml",
       rulesWith("  - name: r1\n    match: {incident_types: [service_outage]}\n    steps:\n      "
                 "- action: restart_container\n        parameters: {container_id: x}\n"),
       {"rules.yaml:6: rule 'r1': restart_container's cooldown applies per 'service_name', so "
        "the step's parameters must set 'service_name'"}},
      {"parameters not a mapping",
       "rules.yaml",
       rulesWith("  - name: r1\n    match: {incident_types: [service_outage]}\n    steps:\n      "
                 "- action: acknowledge_incident\n        parameters: [a, b]\n"),
       {"rules[0].steps[0].parameters: expected a mapping, got a list"}},
      {"invalid YAML",
       "rules.yaml",
       "version: \"1.0\"\nrules: [\n  - name: x\n",
       {"rules.yaml:", "invalid YAML"}},
      {"empty file", "approvals.yaml", "", {"approvals.yaml:1: empty file"}},
      {"top level is a list",
       "actions_risky.yaml",
       "- a\n- b\n",
       {"actions_risky.yaml:1: document: expected a mapping, got a list"}},
  };
}

TEST(BadPolicy, EveryShapeIsRefusedWithFileLineKeyAndExpectation) {
  for (const BadCase& c : badCases()) {
    SCOPED_TRACE(c.name);
    TempDir dir;
    auto loaded = Policy::load(writePolicy(dir, {{c.file, c.content}}));
    ASSERT_FALSE(loaded.isOk()) << "accepted";
    EXPECT_EQ(loaded.status().code(), StatusCode::kInvalidArgument);
    std::string message = loaded.status().message();
    for (const std::string& part : c.expected) {
      EXPECT_NE(message.find(part), std::string::npos) << "missing: " << part << "\nin:\n"
                                                       << message;
    }
    // Every line names its file.
    EXPECT_NE(message.find(c.file), std::string::npos) << message;
  }
}

TEST(BadPolicy, MissingFileAndMissingDirectoryAreNamed) {
  TempDir dir;
  auto policy_dir = writePolicy(dir);
  std::filesystem::remove(policy_dir / "rules.yaml");
  auto loaded = Policy::load(policy_dir);
  ASSERT_FALSE(loaded.isOk());
  EXPECT_NE(loaded.status().message().find("rules.yaml: policy file not found"), std::string::npos)
      << loaded.status().message();

  auto none = Policy::load(dir.path() / "nowhere");
  ASSERT_FALSE(none.isOk());
  EXPECT_NE(none.status().message().find("policy directory not found"), std::string::npos);
}

TEST(BadPolicy, SeveralMistakesAreReportedTogether) {
  TempDir dir;
  auto loaded =
      Policy::load(writePolicy(dir, {{"actions_safe.yaml",
                                      "version: \"1.0\"\nsafe_actions:\n  - action_type: a\n    "
                                      "max_frequency: often\n"},
                                     {"approvals.yaml", "version: \"1.1\"\n"}}));
  ASSERT_FALSE(loaded.isOk());
  std::string message = loaded.status().message();
  EXPECT_NE(message.find("actions_safe.yaml:4: safe_actions[0].max_frequency"), std::string::npos)
      << message;
  EXPECT_NE(message.find("approvals.yaml:1: version"), std::string::npos) << message;
  EXPECT_GE(std::count(message.begin(), message.end(), '\n'), 1);
}

}  // namespace
}  // namespace orion::policy
