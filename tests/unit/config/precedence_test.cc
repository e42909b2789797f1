#include "config_test_util.h"

namespace orion::config {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

// Each layer sets the same keys; each assertion shows which layer won.
TEST_F(ConfigFileTest, DefaultsThenYamlThenEnvFileThenEnvironmentThenFlag) {
  auto env_file = dir_.write("orion.env",
                             "ORION_WATCHER_HOST_INTERVAL=3s\n"
                             "ORION_BUS_MAX_DELIVERIES=3\n"
                             "ORION_STATE_DIR=/from/env-file\n"
                             "ORION_NODE_NAME=from-env-file\n");
  file_ = dir_.write("orion.yaml",
                     "watcher: {host: {interval: 2s}}\n"
                     "bus: {max_deliveries: 2, max_stream_length: 2}\n"
                     "state_dir: /from/yaml\n"
                     "node: {name: from-yaml}\n"
                     "api: {enabled: true}\n");
  LoadOptions options;
  options.file = file_;
  options.env_file = env_file;
  options.environment = {{"ORION_BUS_MAX_DELIVERIES", "4"},
                         {"ORION_STATE_DIR", "/from/environment"},
                         {"ORION_NODE_NAME", "from-environment"}};
  options.state_dir = "/from/flag";
  auto config = loadConfig(options);
  ASSERT_TRUE(config.isOk()) << config.status().message();
  EXPECT_TRUE(config->api.enabled);              // YAML only
  EXPECT_EQ(config->bus.max_stream_length, 2);   // YAML over default
  EXPECT_EQ(config->watcher.host.interval, 3s);  // .env over YAML
  EXPECT_EQ(config->bus.max_deliveries, 4);      // environment over .env
  EXPECT_EQ(config->node.name, "from-environment");
  EXPECT_EQ(config->state_dir, "/from/flag");             // --state-dir over everything
  EXPECT_EQ(config->guardian.max_open_incidents, 10000);  // default
}

TEST_F(ConfigFileTest, LaterLineOfAnEnvFileWins) {
  auto env_file = dir_.write("orion.env", "ORION_NODE_NAME=first\nORION_NODE_NAME=second\n");
  LoadOptions options;
  options.env_file = env_file;
  auto config = loadConfig(options);
  ASSERT_TRUE(config.isOk()) << config.status().message();
  EXPECT_EQ(config->node.name, "second");
}

TEST_F(ConfigFileTest, EmptyStateDirFlagIsAnError) {
  LoadOptions options;
  options.state_dir = "";
  auto result = loadConfig(options);
  ASSERT_FALSE(result.isOk());
  EXPECT_EQ(result.status().message(), "--state-dir: state_dir: expected a directory path, got ''");
}

TEST_F(ConfigFileTest, CrossKeyErrorPointsAtTheSourceThatBrokeTheRule) {
  // YAML sets a consistent pair; the environment then lowers critical below warning.
  std::string message = errors("watcher:\n  host:\n    cpu_percent: {warning: 70, critical: 80}\n",
                               {{"ORION_WATCHER_HOST_CPU_PERCENT_CRITICAL", "60"}});
  EXPECT_EQ(message,
            "environment: ORION_WATCHER_HOST_CPU_PERCENT_CRITICAL: "
            "watcher.host.cpu_percent.critical: expected at least the warning level (70), got 60");
}

TEST_F(ConfigFileTest, ErrorsFromEverySourceAreReportedTogether) {
  auto env_file = dir_.write("orion.env", "ORION_API_LISTEN=nowhere\n");
  file_ = dir_.write("orion.yaml", "bus: {when_full: maybe}\n");
  LoadOptions options;
  options.file = file_;
  options.env_file = env_file;
  options.environment = {{"ORION_NODE", "x"}};
  auto result = loadConfig(options);
  ASSERT_FALSE(result.isOk());
  std::string message = result.status().message();
  EXPECT_EQ(lineCount(message), 3u) << message;
  EXPECT_THAT(message, HasSubstr(at(1) + "bus.when_full:"));
  EXPECT_THAT(message, HasSubstr(env_file.string() + ":1: ORION_API_LISTEN: api.listen:"));
  EXPECT_THAT(message, HasSubstr("environment: unknown variable ORION_NODE"));
}

}  // namespace
}  // namespace orion::config
