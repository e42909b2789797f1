// What a policy snapshot works out once at load so that decisions need not: each rule step's
// compiled parameter template and its action's profile. Both must answer exactly what the
// per-call functions answer (renderParameters(), classify(), cooldownFor(), ...).
#include <gtest/gtest.h>

#include <map>

#include "policy/policy.h"
#include "policy/template.h"
#include "policy_fixture.h"

namespace orion::policy {
namespace {

using namespace std::chrono_literals;
using testing::TempDir;
using testing::writePolicy;

// The same values behind both lookup shapes: owned copies (Lookup) and views (ValueLookup).
struct Values {
  std::map<std::string, std::string, std::less<>> values;
  Lookup owned() const {
    return [this](std::string_view name) -> std::optional<std::string> {
      auto it = values.find(name);
      if (it == values.end()) return std::nullopt;
      return it->second;
    };
  }
  ValueLookup lent() const {
    return [this](std::string_view name) -> std::optional<std::string_view> {
      auto it = values.find(name);
      if (it == values.end()) return std::nullopt;
      return it->second;
    };
  }
};

// Compiling `parameters` and rendering gives what renderParameters() gives, missing values
// included (nullopt where renderParameters() fails).
void expectSameRendering(const Json& parameters, const Values& values) {
  SCOPED_TRACE(parameters.dump());
  auto compiled = ParameterTemplate::compile(parameters);
  ASSERT_TRUE(compiled.isOk()) << compiled.status().message();
  std::optional<Json> fast = compiled->render(values.lent());
  Result<Json> reference = renderParameters(parameters, values.owned());
  ASSERT_EQ(fast.has_value(), reference.isOk()) << reference.status().message();
  if (fast) {
    EXPECT_EQ(*fast, *reference);
    EXPECT_EQ(fast->dump(), reference->dump());
  }
}

TEST(ParameterTemplate, RendersExactlyWhatRenderParametersRenders) {
  Values values{{{"service_name", "jellyfin"},
                 {"node", "nas"},
                 {"container_id", "c0ffee"},
                 {"empty", ""},
                 {"severity", "high"}}};
  expectSameRendering(Json::object(), values);
  expectSameRendering(
      {{"service_name", "{service_name}"}, {"container_id", "{container_id}"}, {"node", "{node}"}},
      values);
  expectSameRendering({{"message", "{service_name} on {node} is down {{really}} }} {{"},
                       {"plain", "no placeholders"},
                       {"blank", ""},
                       {"adjacent", "{node}{node}-{severity}"},
                       {"lent_empty", "[{empty}]"}},
                      values);
  expectSameRendering({{"replicas", 2},
                       {"force", false},
                       {"ratio", 0.5},
                       {"nothing", nullptr},
                       {"where", {{"node", "{node}"}, {"list", Json::array({"{node}", 1, true})}}},
                       {"deep", Json::array({Json::array({"{service_name}"}), Json::object()})}},
                      values);
  expectSameRendering(Json::array({"{node}", "x"}), values);
  expectSameRendering("{service_name}", values);
  expectSameRendering(7, values);
  // Missing values: nullopt where renderParameters() names the placeholder.
  expectSameRendering({{"id", "{container_id}"}, {"image", "{image}"}}, values);
  expectSameRendering({{"nested", {{"list", Json::array({"{node}", "{missing}"})}}}}, values);
}

TEST(ParameterTemplate, MalformedTemplatesDoNotCompileAndAnEmptyOneRendersNothing) {
  EXPECT_FALSE(ParameterTemplate::compile({{"a", "{unterminated"}}).isOk());
  EXPECT_FALSE(ParameterTemplate::compile(Json::array({"x }"})).isOk());
  EXPECT_FALSE(ParameterTemplate().render([](std::string_view) { return "x"; }).has_value());
}

// Every step's profile is what the policy's own methods answer for its action type, and its
// compiled template renders what renderParameters() renders from its source.
void expectStepsMatchThePolicy(const Policy& policy) {
  Values values{{{"service_name", "jellyfin"},
                 {"container_id", "c0ffee"},
                 {"node", "nas"},
                 {"incident_id", "11111111-1111-4111-8111-111111111111"},
                 {"severity", "high"},
                 {"resource", "/srv"},
                 {"metric", "disk_used_percent"},
                 {"description", "disk_used_percent of /srv is 97%"},
                 {"device_id", "cam-1"}}};
  ASSERT_FALSE(policy.rules().empty());
  for (const Rule& rule : policy.rules()) {
    for (const Step& step : rule.steps) {
      SCOPED_TRACE(rule.name + " / " + step.action_type);
      const ActionProfile& profile = step.profile;
      EXPECT_EQ(profile.classification, policy.classify(step.action_type));
      const ActionEntry* entry = policy.action(step.action_type);
      if (entry != nullptr) {
        EXPECT_EQ(profile.listed_at, entry->where);
      } else if (const ExecAction* exec = policy.execAction(step.action_type)) {
        EXPECT_TRUE(profile.listed_at.starts_with(exec->where)) << profile.listed_at;
      } else {
        EXPECT_EQ(profile.listed_at, "");
      }
      Cooldown cooldown = policy.cooldownFor(step.action_type);
      EXPECT_EQ(profile.cooldown.duration, cooldown.duration);
      EXPECT_EQ(profile.cooldown.applies_per, cooldown.applies_per);
      EXPECT_EQ(profile.cooldown.is_default, cooldown.is_default);
      std::optional<RateLimit> limit = policy.rateLimitFor(step.action_type);
      ASSERT_EQ(profile.rate_limit.has_value(), limit.has_value());
      if (limit) {
        EXPECT_EQ(profile.rate_limit->count, limit->count);
        EXPECT_EQ(profile.rate_limit->per, limit->per);
        EXPECT_EQ(profile.rate_limit->text, limit->text);
      }
      EXPECT_EQ(profile.approval_timeout, policy.approvalTimeout(step.action_type));
      EXPECT_EQ(profile.breaker_applies, policy.breaker().appliesTo(step.action_type));

      std::optional<Json> fast = step.compiled_parameters.render(values.lent());
      Result<Json> reference = renderParameters(step.parameters, values.owned());
      ASSERT_TRUE(reference.isOk()) << reference.status().message();
      ASSERT_TRUE(fast.has_value());
      EXPECT_EQ(*fast, *reference);
      EXPECT_EQ(Policy::cooldownKeyFor(profile.cooldown, *fast),
                policy.cooldownKey(step.action_type, *fast));
      EXPECT_EQ(Policy::targetFor(profile.cooldown, *fast),
                policy.targetOf(step.action_type, *fast));
    }
  }
}

TEST(PrecompiledSteps, ShippedPolicyStepsMatchThePolicyMethods) {
  auto loaded = Policy::load(testing::kShippedPolicyDir);
  ASSERT_TRUE(loaded.isOk()) << loaded.status().message();
  expectStepsMatchThePolicy(**loaded);
}

TEST(PrecompiledSteps, TestPolicyStepsMatchThePolicyMethods) {
  TempDir dir;
  auto loaded = Policy::load(writePolicy(dir));
  ASSERT_TRUE(loaded.isOk()) << loaded.status().message();
  expectStepsMatchThePolicy(**loaded);
}

TEST(PrecompiledSteps, ProfilesCoverDefaultsAndUnlistedActions) {
  auto loaded = Policy::load(testing::kShippedPolicyDir);
  ASSERT_TRUE(loaded.isOk()) << loaded.status().message();
  const Policy& policy = **loaded;
  // Listed SAFE, with its own cooldown, a rate limit and a breaker.
  ActionProfile restart = policy.profileOf("restart_container");
  EXPECT_EQ(restart.classification, SafetyClass::kSafe);
  EXPECT_TRUE(restart.listed_at.starts_with(std::string(ORION_SOURCE_DIR "/policies/") +
                                            std::string(kSafeFile)))
      << restart.listed_at;
  EXPECT_EQ(restart.cooldown.applies_per, "service_name");
  ASSERT_TRUE(restart.rate_limit.has_value());
  EXPECT_EQ(restart.rate_limit->text, "6 per hour");
  EXPECT_TRUE(restart.breaker_applies);
  // An exec action in neither list: RISKY, not listed, the global default cooldown.
  ActionProfile exec = policy.profileOf("show_service_log");
  EXPECT_EQ(exec.classification, SafetyClass::kRisky);
  const ExecAction* declared = policy.execAction("show_service_log");
  ASSERT_NE(declared, nullptr);
  EXPECT_EQ(exec.listed_at, declared->where +
                                ": an exec action listed in neither actions_safe.yaml nor "
                                "actions_risky.yaml");
  EXPECT_TRUE(exec.cooldown.is_default);
  EXPECT_FALSE(exec.rate_limit.has_value());
  EXPECT_EQ(exec.approval_timeout, policy.approvalTimeout("show_service_log"));
  // An action nobody declared: UNKNOWN.
  ActionProfile unknown = policy.profileOf("format_disk");
  EXPECT_EQ(unknown.classification, SafetyClass::kUnknown);
  EXPECT_EQ(unknown.cooldown.duration, policy.cooldownFor("format_disk").duration);
  EXPECT_FALSE(unknown.breaker_applies);
}

TEST(PrecompiledSteps, CooldownKeyAndTargetForAKnownCooldown) {
  Cooldown per_service{300s, "service_name", false};
  Cooldown per_action{60s, "", true};
  Json parameters = {{"service_name", "jellyfin"}, {"container_id", "c0ffee"}, {"count", 3}};
  EXPECT_EQ(Policy::cooldownKeyFor(per_service, parameters), "jellyfin");
  EXPECT_EQ(Policy::targetFor(per_service, parameters), "jellyfin");
  EXPECT_EQ(Policy::cooldownKeyFor(per_action, parameters), "");
  EXPECT_EQ(Policy::targetFor(per_action, parameters), "jellyfin");
  Cooldown per_count{60s, "count", false};
  EXPECT_EQ(Policy::cooldownKeyFor(per_count, parameters), "3");
  EXPECT_EQ(Policy::targetFor(per_action, {{"device_id", "cam-1"}, {"node", "nas"}}), "cam-1");
  EXPECT_EQ(Policy::targetFor(per_action, Json::object()), "");
}

}  // namespace
}  // namespace orion::policy
