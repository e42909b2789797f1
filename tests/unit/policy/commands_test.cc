// diagnostics.yaml and exec_actions.yaml: loading, every bad shape (file, line, key), the
// classification of exec actions, and rendering argv templates without injection.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "policy/policy.h"
#include "policy_fixture.h"

namespace orion::policy {
namespace {

using testing::TempDir;
using testing::writePolicy;

const std::string kExec = R"(version: "1.0"
exec_actions:
  - action_type: flush_cache
    description: flush one cache
    argv: [/usr/bin/cachectl, flush, "--name={name}", "{zone}"]
    parameters:
      name: {pattern: "[a-z][a-z0-9-]{0,30}"}
      zone:
        pattern: "eu|us"
        description: the region
    timeout: 5s
    max_output: 100
)";

Result<PolicyPtr> loadWith(const TempDir& dir, const std::map<std::string, std::string>& extra,
                           const std::map<std::string, std::string>& overrides = {}) {
  auto policy_dir = writePolicy(dir, overrides);
  for (const auto& [name, text] : extra) dir.write("policies/" + name, text);
  return Policy::load(policy_dir);
}

TEST(Diagnostics, ShippedOnesCoverTheHostPressureMetrics) {
  auto loaded = Policy::load(testing::kShippedPolicyDir);
  ASSERT_TRUE(loaded) << loaded.status().message();
  const Policy& policy = **loaded;
  for (const char* metric :
       {"cpu_percent", "memory_percent", "swap_percent", "load_per_cpu", "disk_used_percent"}) {
    const Diagnostic* diagnostic = policy.diagnostic(metric);
    ASSERT_NE(diagnostic, nullptr) << metric;
    EXPECT_FALSE(diagnostic->argv.empty());
    EXPECT_EQ(diagnostic->argv.front().front(), '/') << metric;
    EXPECT_LE(diagnostic->timeout, kMaxCommandTimeout);
  }
  EXPECT_EQ(policy.diagnostic("rm_rf"), nullptr);
  // The shipped exec action is RISKY: it is in neither list.
  ASSERT_NE(policy.execAction("show_service_log"), nullptr);
  EXPECT_EQ(policy.classify("show_service_log"), SafetyClass::kRisky);
  // The summary counts it among the RISKY actions, and the diagnostics.
  std::string summary = policy.summary();
  size_t exec = policy.execActions().size();
  EXPECT_NE(summary.find("(" + std::to_string(exec) + " of them exec action"), std::string::npos)
      << summary;
  EXPECT_NE(summary.find("; " + std::to_string(policy.diagnostics().size()) + " diagnostics"),
            std::string::npos)
      << summary;
  size_t listed_risky = 0;
  for (const auto& [type, entry] : policy.actions()) {
    if (entry.classification == SafetyClass::kRisky) ++listed_risky;
  }
  size_t unlisted = 0;
  for (const auto& [type, entry] : policy.execActions()) {
    if (policy.action(type) == nullptr) ++unlisted;
  }
  EXPECT_NE(summary.find(std::to_string(listed_risky + unlisted) + " RISKY"), std::string::npos)
      << summary;
}

TEST(Diagnostics, AbsentFilesDeclareNothing) {
  TempDir dir;
  auto loaded = loadWith(dir, {});
  ASSERT_TRUE(loaded) << loaded.status().message();
  EXPECT_TRUE((*loaded)->diagnostics().empty());
  EXPECT_TRUE((*loaded)->execActions().empty());
}

TEST(Diagnostics, DefaultsAndLimits) {
  TempDir dir;
  auto loaded = loadWith(dir, {{"diagnostics.yaml",
                                "version: \"1.0\"\ndiagnostics:\n"
                                "  - diagnostic_type: top\n"
                                "    argv: [ps, aux]\n"}});
  ASSERT_TRUE(loaded) << loaded.status().message();
  const Diagnostic* top = (*loaded)->diagnostic("top");
  ASSERT_NE(top, nullptr);
  EXPECT_EQ(top->argv, (std::vector<std::string>{"ps", "aux"}));
  EXPECT_EQ(top->timeout, kDefaultCommandTimeout);
  EXPECT_EQ(top->max_output, kDefaultMaxOutput);
  EXPECT_NE(top->where.find("diagnostics.yaml:3"), std::string::npos) << top->where;
}

struct BadCommandsFile {
  std::string name;
  std::string file;
  std::string content;
  std::string expected;  // includes file:line and the key path
};

std::string diagnostics(const std::string& entries) {
  return "version: \"1.0\"\ndiagnostics:\n" + entries;
}
std::string execs(const std::string& entries) {
  return "version: \"1.0\"\nexec_actions:\n" + entries;
}

TEST(BadCommands, EachMistakeNamesFileLineAndKey) {
  std::vector<BadCommandsFile> cases = {
      {"no argv", "diagnostics.yaml", diagnostics("  - diagnostic_type: a\n"),
       "diagnostics.yaml:3: diagnostics[0].argv: missing"},
      {"empty argv", "diagnostics.yaml", diagnostics("  - diagnostic_type: a\n    argv: []\n"),
       "diagnostics.yaml:4: diagnostics[0].argv: expected at least the command"},
      {"relative command", "diagnostics.yaml",
       diagnostics("  - diagnostic_type: a\n    argv: [bin/ps]\n"),
       "diagnostics.yaml:4: diagnostics[0].argv: argv[0] 'bin/ps': expected an absolute path"},
      {"argv is text", "diagnostics.yaml",
       diagnostics("  - diagnostic_type: a\n    argv: ps aux\n"),
       "diagnostics.yaml:4: diagnostics[0].argv: expected a list of strings"},
      {"timeout over the cap", "diagnostics.yaml",
       diagnostics("  - diagnostic_type: a\n    argv: [ps]\n    timeout: 1h\n"),
       "diagnostics.yaml:5: diagnostics[0].timeout: expected a duration from 1s to 5m"},
      {"output limit", "diagnostics.yaml",
       diagnostics("  - diagnostic_type: a\n    argv: [ps]\n    max_output: 0\n"),
       "diagnostics.yaml:5: diagnostics[0].max_output"},
      {"misspelt key", "diagnostics.yaml",
       diagnostics("  - diagnostic_type: a\n    argv: [ps]\n    timout: 5s\n"),
       "diagnostics.yaml:5: diagnostics[0].timout: unknown key (did you mean 'timeout'?)"},
      {"duplicate type", "diagnostics.yaml",
       diagnostics("  - diagnostic_type: a\n    argv: [ps]\n  - diagnostic_type: a\n    argv: "
                   "[df]\n"),
       "diagnostics.yaml:5: diagnostics[1].diagnostic_type: 'a' is already declared at "},
      {"missing list", "diagnostics.yaml", "version: \"1.0\"\n",
       "diagnostics.yaml:1: diagnostics: missing"},
      {"unknown placeholder", "exec_actions.yaml",
       execs("  - action_type: x\n    argv: [/bin/echo, \"{who}\"]\n"),
       "exec_actions.yaml:4: exec_actions[0].argv: argv[1]: unknown placeholder '{who}'"},
      {"bad placeholder", "exec_actions.yaml",
       execs("  - action_type: x\n    argv: [/bin/echo, \"{who\"]\n"),
       "exec_actions.yaml:4: exec_actions[0].argv: argv[1]: unterminated '{'"},
      {"templated command", "exec_actions.yaml",
       execs("  - action_type: x\n    argv: [\"{tool}\"]\n    parameters: {tool: {pattern: "
             "\"[a-z]+\"}}\n"),
       "exec_actions.yaml:4: exec_actions[0].argv: argv[0] must be a fixed command"},
      {"bad pattern", "exec_actions.yaml",
       execs("  - action_type: x\n    argv: [/bin/echo, \"{a}\"]\n    parameters:\n      a: "
             "{pattern: \"[a-\"}\n"),
       "exec_actions.yaml:6: exec_actions[0].parameters.a.pattern: '[a-' is not a valid regular "
       "expression"},
      {"pattern missing", "exec_actions.yaml",
       execs("  - action_type: x\n    argv: [/bin/echo, \"{a}\"]\n    parameters:\n      a: "
             "{description: d}\n"),
       "exec_actions.yaml:6: exec_actions[0].parameters.a.pattern: missing"},
      {"reserved parameter name", "exec_actions.yaml",
       execs("  - action_type: x\n    argv: [/bin/echo, \"{node}\"]\n    parameters:\n      "
             "node: {pattern: \"[a-z]+\"}\n"),
       "exec_actions.yaml:6: exec_actions[0].parameters.node: expected a parameter name"},
      {"bad risk", "exec_actions.yaml",
       execs("  - action_type: x\n    argv: [/bin/true]\n    risk: harmless\n"),
       "exec_actions.yaml:5: exec_actions[0].risk: expected read_only, reversible or destructive"},
      {"built-in name", "exec_actions.yaml",
       execs("  - action_type: restart_container\n    argv: [/bin/true]\n"),
       "exec_actions.yaml:3: exec_actions[0].action_type: 'restart_container' is a built-in"},
  };
  for (const BadCommandsFile& c : cases) {
    SCOPED_TRACE(c.name);
    TempDir dir;
    auto loaded = loadWith(dir, {{c.file, c.content}});
    ASSERT_FALSE(loaded.isOk()) << "accepted";
    EXPECT_NE(loaded.status().message().find(c.expected), std::string::npos)
        << "expected: " << c.expected << "\ngot:\n"
        << loaded.status().message();
  }
}

TEST(ExecActions, RiskyUnlessListedSafeAndSafeOnlyWhenNotDestructive) {
  TempDir plain;
  auto loaded = loadWith(plain, {{"exec_actions.yaml", kExec}});
  ASSERT_TRUE(loaded) << loaded.status().message();
  EXPECT_EQ((*loaded)->classify("flush_cache"), SafetyClass::kRisky);
  EXPECT_EQ((*loaded)->classify("not_declared"), SafetyClass::kUnknown);
  EXPECT_EQ((*loaded)->execAction("flush_cache")->risk, DeclaredRisk::kDestructive);

  // Listed SAFE while destructive (the default): refused at load.
  std::string safe = std::string(testing::kSafeYaml) + "  - action_type: flush_cache\n";
  TempDir destructive;
  auto refused =
      loadWith(destructive, {{"exec_actions.yaml", kExec}}, {{"actions_safe.yaml", safe}});
  ASSERT_FALSE(refused.isOk());
  EXPECT_NE(refused.status().message().find(
                "actions_safe.yaml:10: 'flush_cache' is listed SAFE but its exec action"),
            std::string::npos)
      << refused.status().message();

  TempDir reversible;
  std::string declared = kExec + "    risk: reversible\n";
  auto accepted =
      loadWith(reversible, {{"exec_actions.yaml", declared}}, {{"actions_safe.yaml", safe}});
  ASSERT_TRUE(accepted) << accepted.status().message();
  EXPECT_EQ((*accepted)->classify("flush_cache"), SafetyClass::kSafe);

  // A rule may propose an exec action (it counts as classified).
  TempDir ruled;
  std::string rules = std::string(testing::kRulesYaml) +
                      "  - name: flush\n    match:\n      incident_types: [metric_anomaly]\n"
                      "    steps:\n      - action: flush_cache\n        parameters: {name: "
                      "web, zone: eu}\n";
  auto with_rule = loadWith(ruled, {{"exec_actions.yaml", kExec}}, {{"rules.yaml", rules}});
  EXPECT_TRUE(with_rule) << with_rule.status().message();
}

class RenderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = loadWith(dir_, {{"exec_actions.yaml", kExec}});
    ASSERT_TRUE(loaded) << loaded.status().message();
    policy_ = *loaded;
    action_ = policy_->execAction("flush_cache");
    ASSERT_NE(action_, nullptr);
  }

  std::string errorOf(const Json& parameters) {
    auto rendered = action_->render(parameters);
    return rendered ? "" : rendered.status().message();
  }

  TempDir dir_;
  PolicyPtr policy_;
  const ExecAction* action_ = nullptr;
};

TEST_F(RenderTest, FillsExactlyOneElementPerPlaceholder) {
  auto argv = action_->render(Json{{"name", "web-1"}, {"zone", "eu"}, {"node", "n1"}});
  ASSERT_TRUE(argv) << argv.status().message();
  EXPECT_EQ(*argv, (std::vector<std::string>{"/usr/bin/cachectl", "flush", "--name=web-1", "eu"}));
  EXPECT_EQ(action_->timeout, std::chrono::seconds(5));
  EXPECT_EQ(action_->max_output, 100);
}

TEST_F(RenderTest, NothingCanInjectArgumentsOrSyntax) {
  // Full match: "eu us" or "eu;rm" are not "eu|us".
  EXPECT_NE(errorOf({{"name", "web"}, {"zone", "eu us"}}).find("does not match eu|us"),
            std::string::npos);
  EXPECT_NE(errorOf({{"name", "web"}, {"zone", "eu;rm -rf /"}}), "");
  EXPECT_NE(errorOf({{"name", "web"}, {"zone", "xeu"}}), "");
  EXPECT_NE(errorOf({{"name", "-rf"}, {"zone", "eu"}}).find("starts with '-'"), std::string::npos);
  EXPECT_NE(errorOf({{"name", "web\n"}, {"zone", "eu"}}), "");
  EXPECT_NE(errorOf({{"name", std::string("we\0b", 4)}, {"zone", "eu"}}), "");
  EXPECT_NE(errorOf({{"name", "web"}, {"zone", "eu"}, {"extra", "x"}})
                .find("parameter 'extra' is not declared"),
            std::string::npos);
  EXPECT_NE(errorOf({{"name", "web"}}).find("missing parameter"), std::string::npos);
  EXPECT_NE(errorOf({{"name", Json::array({"a", "b"})}, {"zone", "eu"}})
                .find("expected a string or an integer"),
            std::string::npos);
  // A value that looks like a placeholder is text, not expanded again.
  TempDir dir;
  auto loaded = loadWith(dir, {{"exec_actions.yaml",
                                "version: \"1.0\"\nexec_actions:\n  - action_type: say\n"
                                "    argv: [/bin/echo, \"{text}\"]\n"
                                "    parameters: {text: {pattern: \".*\"}}\n"}});
  ASSERT_TRUE(loaded) << loaded.status().message();
  auto said = (*loaded)->execAction("say")->render(Json{{"text", "{text} $(id) a b"}});
  ASSERT_TRUE(said) << said.status().message();
  EXPECT_EQ(*said, (std::vector<std::string>{"/bin/echo", "{text} $(id) a b"}));
}

}  // namespace
}  // namespace orion::policy
