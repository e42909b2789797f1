// Loading good policy directories: the shipped defaults (policies/), a directory in the original
// ORION's shapes, and what the snapshot answers (classification, cooldowns, limits, timeouts).
#include <gtest/gtest.h>

#include "policy/policy.h"
#include "policy_fixture.h"

namespace orion::policy {
namespace {

using namespace std::chrono_literals;
using contracts::AutonomyLevel;
using testing::TempDir;
using testing::writePolicy;

TEST(ShippedPolicy, LoadsAndClassifiesTheHomelabActions) {
  auto loaded = Policy::load(testing::kShippedPolicyDir);
  ASSERT_TRUE(loaded.isOk()) << loaded.status().message();
  const Policy& policy = **loaded;
  EXPECT_TRUE(policy.loaded());
  EXPECT_EQ(policy.classify("restart_container"), SafetyClass::kSafe);
  EXPECT_EQ(policy.classify("send_notification"), SafetyClass::kSafe);
  EXPECT_EQ(policy.classify("acknowledge_incident"), SafetyClass::kSafe);
  EXPECT_EQ(policy.classify("prune_images"), SafetyClass::kRisky);
  EXPECT_EQ(policy.classify("recreate_container"), SafetyClass::kRisky);
  EXPECT_EQ(policy.classify("restart_service"), SafetyClass::kRisky) << "as in the original";
  EXPECT_EQ(policy.classify("format_disk"), SafetyClass::kUnknown);

  Cooldown restart = policy.cooldownFor("restart_container");
  EXPECT_EQ(restart.duration, 5min);
  EXPECT_EQ(restart.applies_per, "service_name");
  EXPECT_FALSE(restart.is_default);
  EXPECT_TRUE(policy.breaker().appliesTo("restart_container"));
  EXPECT_FALSE(policy.breaker().appliesTo("send_notification"));
  EXPECT_TRUE(policy.budget().enabled);
  EXPECT_EQ(policy.approvalTimeout("prune_images"), 600s);
  EXPECT_GE(policy.rules().size(), 5u);
  EXPECT_EQ(policy.rules().front().name, "unhealthy-container");
  EXPECT_EQ(policy.rules().front().steps.size(), 3u);
  EXPECT_TRUE(policy.digest().starts_with("fnv1a64:")) << policy.digest();
}

TEST(ShippedPolicy, DigestIsStableAndChangesWithContent) {
  auto first = Policy::load(testing::kShippedPolicyDir);
  auto second = Policy::load(testing::kShippedPolicyDir);
  ASSERT_TRUE(first.isOk() && second.isOk());
  EXPECT_EQ((*first)->digest(), (*second)->digest());

  TempDir dir;
  auto a = Policy::load(writePolicy(dir));
  std::string rules(testing::kRulesYaml);
  rules += "\n# a comment changes the bytes\n";
  auto b = Policy::load(writePolicy(dir, {{"rules.yaml", rules}}, "other"));
  ASSERT_TRUE(a.isOk() && b.isOk());
  EXPECT_NE((*a)->digest(), (*b)->digest());
}

// The original's four files, in its shapes (documentation fields included), plus an empty rules
// file: they load, and the original's facts hold.
TEST(OriginalShapes, LoadWithTheirDocumentationFields) {
  TempDir dir;
  dir.write("p/actions_safe.yaml", R"(version: "1.0"
safe_actions:
  - action_type: "send_notification"
    description: "Send alert"
    reversible: false
    external_side_effects: true
    justification: "informational"
    max_frequency: "5 per minute"
  - action_type: "acknowledge_incident"
    reversible: true
    external_side_effects: false
    max_frequency: "unlimited"
  - action_type: "run_diagnostic"
    max_frequency: "10 per hour"
    constraints:
      - "Must be read-only commands only"
)");
  dir.write("p/actions_risky.yaml", R"(version: "1.0"
risky_actions:
  - action_type: "restart_service"
    description: "Restart a service or container"
    reversible: false
    external_side_effects: true
    blast_radius: "medium"
    justification: "unavailability"
    requires_approval: true
    approval_timeout: "300s"
    constraints: ["Must specify exact service name"]
  - action_type: "stop_edge_device"
    blast_radius: "high"
    requires_approval: true
    approval_timeout: "600s"
)");
  dir.write("p/cooldowns.yaml", R"(version: "1.0"
global_settings:
  global_default_cooldown: "60s"
  enforcement: "strict"
  state_backend: "redis"
action_cooldowns:
  - action_type: "restart_service"
    cooldown: "300s"
    reason: "Prevent restart loops"
    applies_per: "service_name"
  - action_type: "acknowledge_incident"
    cooldown: "0s"
    applies_per: "incident_id"
incident_cooldowns:
  decision_cooldown: "30s"
  reason: "Prevent rapid decision-making loops"
circuit_breaker:
  enabled: true
  failure_threshold: 3
  failure_window: "300s"
  circuit_open_duration: "600s"
  applies_to:
    - "restart_service"
)");
  dir.write("p/approvals.yaml", R"(version: "1.0"
approval_settings:
  default_timeout: "300s"
  max_timeout: "3600s"
  timeout_behavior: "deny"
  approval_persistence: false
  channels:
    - type: "telegram"
      enabled: true
      description: "Send approval requests via Telegram bot"
  escalation_enabled: false
action_overrides:
  - action_type: "restart_service"
    timeout: "300s"
  - action_type: "stop_edge_device"
    timeout: "600s"
autonomy_levels:
  N0: {allow_safe_actions: false, allow_risky_actions: false, description: "observe"}
  N1: {allow_safe_actions: false, allow_risky_actions: false}
  N2: {allow_safe_actions: true, allow_risky_actions: false}
  N3: {allow_safe_actions: true, allow_risky_actions: true}
default_autonomy_level: "N0"
)");
  dir.write("p/rules.yaml", "version: \"1.0\"\nrules: []\n");
  auto loaded = Policy::load(dir.path() / "p");
  ASSERT_TRUE(loaded.isOk()) << loaded.status().message();
  const Policy& policy = **loaded;
  EXPECT_EQ(policy.classify("acknowledge_incident"), SafetyClass::kSafe);
  EXPECT_EQ(policy.classify("restart_service"), SafetyClass::kRisky);
  EXPECT_EQ(policy.classify("scale_service"), SafetyClass::kUnknown);
  EXPECT_EQ(policy.cooldownFor("restart_service").duration, 300s);
  EXPECT_EQ(policy.cooldownFor("acknowledge_incident").duration, 0s);
  // No entry: the global default applies (the original ignored it).
  EXPECT_EQ(policy.cooldownFor("run_diagnostic").duration, 60s);
  EXPECT_TRUE(policy.cooldownFor("run_diagnostic").is_default);
  EXPECT_EQ(policy.decisionCooldown(), 30s);
  EXPECT_EQ(policy.breaker().failure_window, 300s);
  EXPECT_TRUE(policy.breaker().appliesTo("restart_service"));
  EXPECT_FALSE(policy.breaker().appliesTo("send_notification"));
  EXPECT_EQ(policy.approvalTimeout("stop_edge_device"), 600s);
  EXPECT_EQ(policy.approvalTimeout("restart_service"), 300s);
  auto rate = policy.rateLimitFor("send_notification");
  ASSERT_TRUE(rate.has_value());
  EXPECT_EQ(rate->count, 5);
  EXPECT_EQ(rate->per, 60s);
  EXPECT_FALSE(policy.rateLimitFor("acknowledge_incident").has_value()) << "unlimited";
  EXPECT_TRUE(policy.rules().empty());
}

TEST(Classify, DeclaredRiskOnlyMakesStricter) {
  TempDir dir;
  auto loaded = Policy::load(writePolicy(dir));
  ASSERT_TRUE(loaded.isOk()) << loaded.status().message();
  const Policy& policy = **loaded;
  EXPECT_EQ(policy.classify("restart_container", DeclaredRisk::kDestructive), SafetyClass::kRisky);
  EXPECT_EQ(policy.classify("restart_container", DeclaredRisk::kReversible), SafetyClass::kSafe);
  EXPECT_EQ(policy.classify("restart_container", DeclaredRisk::kReadOnly), SafetyClass::kSafe);
  EXPECT_EQ(policy.classify("restart_container", std::nullopt), SafetyClass::kSafe);
  for (auto declared : {DeclaredRisk::kReadOnly, DeclaredRisk::kReversible}) {
    EXPECT_EQ(policy.classify("prune_images", declared), SafetyClass::kRisky);
    EXPECT_EQ(policy.classify("wipe_disk", declared), SafetyClass::kUnknown);
  }
  EXPECT_TRUE(parseDeclaredRisk("destructive").isOk());
  EXPECT_FALSE(parseDeclaredRisk("harmless").isOk());
}

TEST(Accessors, CooldownKeyTargetAndTimeouts) {
  TempDir dir;
  auto loaded = Policy::load(writePolicy(dir));
  ASSERT_TRUE(loaded.isOk()) << loaded.status().message();
  const Policy& policy = **loaded;
  Json params = {{"service_name", "jellyfin"}, {"container_id", "c0ffee"}, {"node", "nas"}};
  EXPECT_EQ(policy.cooldownKey("restart_container", params), "jellyfin");
  EXPECT_EQ(policy.cooldownKey("prune_images", params), "") << "default cooldown: per action";
  EXPECT_EQ(policy.targetOf("restart_container", params), "jellyfin");
  EXPECT_EQ(policy.targetOf("prune_images", Json{{"node", "nas"}, {"mount", "/"}}), "nas");
  EXPECT_EQ(policy.targetOf("prune_images", Json::object()), "");
  EXPECT_EQ(policy.approvalTimeout("prune_images"), 900s) << "override wins";
  EXPECT_EQ(policy.approvalTimeout("recreate_container"), 300s) << "the entry's own timeout";
  EXPECT_EQ(policy.approvalTimeout("anything_else"), 300s) << "default_timeout";
  EXPECT_EQ(policy.budget().max_actions, 5);
  EXPECT_EQ(policy.permissions(AutonomyLevel::kN2).allow_safe_actions, true);
  EXPECT_EQ(policy.permissions(AutonomyLevel::kN2).allow_risky_actions, false);
  EXPECT_EQ(policy.permissions(AutonomyLevel::kN3).allow_risky_actions, true);
  EXPECT_EQ(policy.permissions(AutonomyLevel::kN0).allow_safe_actions, false);
  EXPECT_EQ(policy.summary(), "3 rules; 3 SAFE and 2 RISKY actions");
}

TEST(Accessors, AStricterLevelIsKept) {
  TempDir dir;
  auto loaded = Policy::load(writePolicy(dir, {{"approvals.yaml", R"(version: "1.0"
autonomy_levels:
  N2: {allow_safe_actions: false, allow_risky_actions: false}
  N3: {allow_safe_actions: true, allow_risky_actions: false}
)"}}));
  ASSERT_TRUE(loaded.isOk()) << loaded.status().message();
  EXPECT_FALSE((*loaded)->permissions(AutonomyLevel::kN2).allow_safe_actions);
  EXPECT_FALSE((*loaded)->permissions(AutonomyLevel::kN3).allow_risky_actions);
}

TEST(FailClosed, NothingIsSafeAndNoRuleApplies) {
  auto policy = Policy::failClosed("policies/rules.yaml:3: broken");
  EXPECT_FALSE(policy->loaded());
  EXPECT_EQ(policy->problem(), "policies/rules.yaml:3: broken");
  EXPECT_EQ(policy->classify("acknowledge_incident"), SafetyClass::kUnknown);
  EXPECT_EQ(policy->classify("acknowledge_incident", DeclaredRisk::kReadOnly),
            SafetyClass::kUnknown);
  EXPECT_TRUE(policy->rules().empty());
  EXPECT_NE(policy->summary().find("nothing is SAFE"), std::string::npos);
}

}  // namespace
}  // namespace orion::policy
