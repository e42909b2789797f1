#include "config/env_source.h"

#include "config_test_util.h"

namespace orion::config {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

Result<Config> loadEnvironment(std::map<std::string, std::string> environment) {
  LoadOptions options;
  environment.emplace("HOME", "/home/test");
  options.environment = std::move(environment);
  return loadConfig(options);
}

std::string environmentErrors(std::map<std::string, std::string> environment) {
  auto result = loadEnvironment(std::move(environment));
  EXPECT_FALSE(result.isOk());
  return result.isOk() ? "" : result.status().message();
}

TEST(EnvironmentTest, OrionVariablesSetTheirKeys) {
  auto config = loadEnvironment({{"ORION_BRAIN_AUTONOMY_LEVEL", "N1"},
                                 {"ORION_WATCHER_HOST_DISK_PERCENT_WARNING", "1"},
                                 {"ORION_WATCHER_HOST_INTERVAL", "2s"},
                                 {"ORION_BUS_URL", "redis://bus:6379"},
                                 {"ORION_LOG_LEVEL", "DEBUG"},
                                 {"ORION_NODE_NAME", "node-a"},
                                 {"ORION_STATE_DIR", "/tmp/orion-state"},
                                 {"ORION_API_ENABLED", "true"},
                                 {"ORION_BUS_MAX_DELIVERIES", "9"}});
  ASSERT_TRUE(config.isOk()) << config.status().message();
  EXPECT_EQ(config->brain.autonomy_level, Autonomy::kN1);
  EXPECT_EQ(config->watcher.host.disk_percent.warning, 1.0);
  EXPECT_EQ(config->watcher.host.interval, 2s);
  EXPECT_EQ(config->bus.url, "redis://bus:6379");
  EXPECT_EQ(config->log.level, "debug");
  EXPECT_EQ(config->node.name, "node-a");
  EXPECT_EQ(config->state_dir, "/tmp/orion-state");
  EXPECT_TRUE(config->api.enabled);
  EXPECT_EQ(config->bus.max_deliveries, 9);
}

TEST(EnvironmentTest, NameAfterThePrefixIsCaseInsensitive) {
  auto config = loadEnvironment({{"ORION_Brain_Autonomy_Level", "N2"}});
  ASSERT_TRUE(config.isOk()) << config.status().message();
  EXPECT_EQ(config->brain.autonomy_level, Autonomy::kN2);
}

TEST(EnvironmentTest, OriginalAutonomyNameIsAnAlias) {
  auto config = loadEnvironment({{"ORION_AUTONOMY_LEVEL", "N2"}});
  ASSERT_TRUE(config.isOk()) << config.status().message();
  EXPECT_EQ(config->brain.autonomy_level, Autonomy::kN2);
  // The canonical name wins when both are set, whatever the order.
  config = loadEnvironment({{"ORION_AUTONOMY_LEVEL", "N3"}, {"ORION_BRAIN_AUTONOMY_LEVEL", "N1"}});
  ASSERT_TRUE(config.isOk()) << config.status().message();
  EXPECT_EQ(config->brain.autonomy_level, Autonomy::kN1);
  EXPECT_EQ(environmentErrors({{"ORION_AUTONOMY_LEVEL", "N5"}}),
            "environment: ORION_AUTONOMY_LEVEL: brain.autonomy_level: expected one of N0, N1, "
            "N2, N3, got 'N5'");
}

TEST(EnvironmentTest, ListsAreCommaSeparated) {
  auto config = loadEnvironment({{"ORION_WATCHER_HOST_MOUNTS", "/, /home ,,/var/lib"}});
  ASSERT_TRUE(config.isOk()) << config.status().message();
  EXPECT_EQ(config->watcher.host.mounts, (std::vector<std::string>{"/", "/home", "/var/lib"}));
  config = loadEnvironment({{"ORION_WATCHER_HOST_MOUNTS", ""}});
  ASSERT_TRUE(config.isOk()) << config.status().message();
  EXPECT_TRUE(config->watcher.host.mounts.empty());
  EXPECT_THAT(environmentErrors({{"ORION_WATCHER_HOST_MOUNTS", "/,home"}}),
              HasSubstr("environment: ORION_WATCHER_HOST_MOUNTS: watcher.host.mounts: item 2: "
                        "expected an absolute mount point"));
}

TEST(EnvironmentTest, ThresholdCanBeTurnedOff) {
  auto config = loadEnvironment({{"ORION_WATCHER_HOST_CPU_PERCENT_CRITICAL", "none"},
                                 {"ORION_WATCHER_HOST_CPU_PERCENT_WARNING", ""}});
  ASSERT_TRUE(config.isOk()) << config.status().message();
  EXPECT_EQ(config->watcher.host.cpu_percent.critical, std::nullopt);
  EXPECT_EQ(config->watcher.host.cpu_percent.warning, std::nullopt);
}

TEST(EnvironmentTest, BadValueNamesTheVariableAndKey) {
  EXPECT_EQ(environmentErrors({{"ORION_WATCHER_HOST_INTERVAL", "fast"}}),
            "environment: ORION_WATCHER_HOST_INTERVAL: watcher.host.interval: expected a duration "
            "such as 15s, got 'fast'");
  EXPECT_EQ(environmentErrors({{"ORION_STATE_DIR", ""}}),
            "environment: ORION_STATE_DIR: state_dir: expected a directory path, got ''");
}

TEST(EnvironmentTest, UnknownOrionVariableIsAnErrorWithTheNearestName) {
  EXPECT_EQ(environmentErrors({{"ORION_WATCHER_HOST_INTERVL", "5s"}}),
            "environment: unknown variable ORION_WATCHER_HOST_INTERVL; did you mean "
            "ORION_WATCHER_HOST_INTERVAL?");
  EXPECT_EQ(environmentErrors({{"ORION_FAVOURITE_COLOUR", "blue"}}),
            "environment: unknown variable ORION_FAVOURITE_COLOUR (docs/configuration.md lists "
            "the ORION_* variables)");
}

TEST(EnvironmentTest, ReservedAndForeignVariablesAreIgnored) {
  auto config = loadEnvironment({{"ORION_CONFIG", "/etc/orion.yaml"},
                                 {"ORION_ENV_FILE", "/etc/orion.env"},
                                 {"LOG_LEVEL", "nonsense"},
                                 {"PATH", "/usr/bin"}});
  ASSERT_TRUE(config.isOk()) << config.status().message();
  EXPECT_EQ(config->log.level, "info");
}

TEST(EnvironmentTest, WarningAboveCriticalFromEnvironmentNamesTheVariable) {
  EXPECT_EQ(environmentErrors({{"ORION_WATCHER_HOST_MEMORY_PERCENT_WARNING", "99"}}),
            "environment: ORION_WATCHER_HOST_MEMORY_PERCENT_WARNING: "
            "watcher.host.memory_percent.warning: expected at most the critical level (97), got "
            "99");
}

TEST(EnvFileTest, ParsesQuotesExportCommentsAndBlankLines) {
  Diagnostics diagnostics;
  auto entries = parseEnvText(
      "# a comment\n"
      "\n"
      "ORION_NODE_NAME=plain value  # trailing comment\n"
      "export ORION_BUS_URL=\"redis://h:1\"\n"
      "ORION_BRAIN_POLICY_DIR='/etc/orion/#not a comment'\n"
      "   ORION_LOG_LEVEL = debug\r\n"
      "ORION_MEMORY_AUDIT_FILE=\"a \\\"quoted\\\" \\\\ name\\n\" # comment\n"
      "ORION_API_LISTEN=\n"
      "ORION_X=a#b\n",
      "test.env", diagnostics);
  ASSERT_FALSE(diagnostics.hasErrors()) << diagnostics.joined();
  ASSERT_EQ(entries.size(), 7u);
  EXPECT_EQ(entries[0].name, "ORION_NODE_NAME");
  EXPECT_EQ(entries[0].value, "plain value");
  EXPECT_EQ(entries[0].location, "test.env:3");
  EXPECT_EQ(entries[1].name, "ORION_BUS_URL");
  EXPECT_EQ(entries[1].value, "redis://h:1");
  EXPECT_EQ(entries[2].value, "/etc/orion/#not a comment");
  EXPECT_EQ(entries[3].name, "ORION_LOG_LEVEL");
  EXPECT_EQ(entries[3].value, "debug");
  EXPECT_EQ(entries[4].value, "a \"quoted\" \\ name\n");
  EXPECT_EQ(entries[5].value, "");
  EXPECT_EQ(entries[6].value, "a#b");
  EXPECT_EQ(entries[6].location, "test.env:9");
}

TEST(EnvFileTest, MalformedLinesNameFileAndLine) {
  Diagnostics diagnostics;
  auto entries = parseEnvText(
      "ORION_NODE_NAME=ok\n"
      "this line has no equals sign\n"
      "1BAD=x\n"
      "ORION_A=\"unterminated\n"
      "ORION_B='also unterminated\n"
      "ORION_C=\"closed\" trailing\n",
      "test.env", diagnostics);
  ASSERT_EQ(entries.size(), 1u);  // the good line still counts
  ASSERT_EQ(diagnostics.errors().size(), 5u) << diagnostics.joined();
  EXPECT_EQ(diagnostics.errors()[0],
            "test.env:2: expected KEY=VALUE, got 'this line has no equals sign'");
  EXPECT_EQ(diagnostics.errors()[1],
            "test.env:3: expected a variable name (letters, digits, '_') before '=', got '1BAD'");
  EXPECT_EQ(diagnostics.errors()[2], "test.env:4: ORION_A: unterminated double quote");
  EXPECT_EQ(diagnostics.errors()[3], "test.env:5: ORION_B: unterminated single quote");
  EXPECT_EQ(diagnostics.errors()[4],
            "test.env:6: ORION_C: unexpected text after the closing quote");
}

TEST(EnvFileTest, EnvFileValuesAreCheckedWithFileLineAndVariable) {
  testing::TempDir dir;
  auto env_file = dir.write("orion.env",
                            "# settings\n"
                            "ORION_AUTONOMY_LEVEL=N2\n"
                            "ORION_WATCHER_HOST_INTERVAL=soon\n"
                            "ORION_BUS_MAX_DELIVERYS=3\n"
                            "REDIS_HOST=localhost\n"
                            "broken\n");
  LoadOptions options;
  options.env_file = env_file;
  auto result = loadConfig(options);
  ASSERT_FALSE(result.isOk());
  std::string message = result.status().message();
  std::string name = env_file.string();
  EXPECT_EQ(lineCount(message), 3u) << message;
  EXPECT_THAT(message, HasSubstr(name + ":6: expected KEY=VALUE, got 'broken'"));
  EXPECT_THAT(message, HasSubstr(name + ":3: ORION_WATCHER_HOST_INTERVAL: watcher.host.interval: "
                                        "expected a duration such as 15s, got 'soon'"));
  EXPECT_THAT(message,
              HasSubstr(name + ":4: unknown variable ORION_BUS_MAX_DELIVERYS; did you mean "
                               "ORION_BUS_MAX_DELIVERIES?"));
}

TEST(EnvFileTest, MissingEnvFileIsAClearError) {
  testing::TempDir dir;
  LoadOptions options;
  options.env_file = dir.path() / "missing.env";
  auto result = loadConfig(options);
  ASSERT_FALSE(result.isOk());
  EXPECT_EQ(result.status().message(),
            (dir.path() / "missing.env").string() + ": env file not found");
}

}  // namespace
}  // namespace orion::config
