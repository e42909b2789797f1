#include <algorithm>

#include "config_test_util.h"

namespace orion::config {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

TEST_F(ConfigFileTest, EmptyFileGivesDefaults) {
  for (const char* text : {"", "\n\n", "# only a comment\n", "---\n"}) {
    auto config = load(text);
    ASSERT_TRUE(config.isOk()) << text << ": " << config.status().message();
    EXPECT_EQ(config->brain.autonomy_level, Autonomy::kN0);
    EXPECT_EQ(config->bus.url, "");
    EXPECT_EQ(config->api.listen, "127.0.0.1:9750");
    EXPECT_FALSE(config->api.enabled);
    EXPECT_EQ(config->watcher.host.interval, 15s);
    EXPECT_EQ(config->watcher.host.disk_percent.warning, 90.0);
    EXPECT_EQ(config->state_dir, defaultStateDir({{"HOME", "/home/test"}}));
    EXPECT_EQ(config->source_file, file_.string());
  }
}

TEST_F(ConfigFileTest, NoFileGivesDefaults) {
  LoadOptions options;
  options.environment = {{"HOME", "/h"}};
  auto config = loadConfig(options);
  ASSERT_TRUE(config.isOk()) << config.status().message();
  EXPECT_EQ(config->source_file, "");
  EXPECT_EQ(config->bus.max_deliveries, 5);
  EXPECT_EQ(config->state_dir, defaultStateDir(options.environment));
  EXPECT_FALSE(config->node.name.empty());
}

TEST_F(ConfigFileTest, ReadsEveryKindOfValue) {
  auto config = load(R"(
node:
  name: edge-7
state_dir: /srv/orion
log: {level: WARNING, format: json}
bus:
  url: redis://localhost:6379/2
  stream_prefix: lab
  max_stream_length: 500
  when_full: block
  block_timeout: 250ms
  max_deliveries: 3
  redelivery_delay: 0
watcher:
  host:
    enabled: no
    interval: 1m30s
    cpu_percent: {warning: 80, critical: ~}
    disk_percent: {warning: 1, critical: 2.5}
    load_per_cpu: {warning: 12, critical: 16}
    mounts: [/, /home]
    proc_root: /host/proc
guardian: {correlation_window: 2m, max_open_incidents: 50}
brain: {autonomy_level: n2, policy_dir: /etc/orion/policies}
approval: {default_timeout: 60, max_timeout: 10m}
commander: {dry_run: true}
memory: {audit_dir: /var/log/orion, sync_interval: 1s}
api: {enabled: true, listen: "[::1]:8080"}
)");
  ASSERT_TRUE(config.isOk()) << config.status().message();
  EXPECT_EQ(config->node.name, "edge-7");
  EXPECT_EQ(config->state_dir, "/srv/orion");
  EXPECT_EQ(config->log.level, "warn");
  EXPECT_EQ(config->log.format, LogFormat::kJson);
  EXPECT_EQ(config->bus.url, "redis://localhost:6379/2");
  EXPECT_EQ(config->bus.stream_prefix, "lab");
  EXPECT_EQ(config->bus.max_stream_length, 500);
  EXPECT_EQ(config->bus.when_full, "block");
  EXPECT_EQ(config->bus.block_timeout, 250ms);
  EXPECT_EQ(config->bus.max_deliveries, 3);
  EXPECT_EQ(config->bus.redelivery_delay, 0ms);
  EXPECT_FALSE(config->watcher.host.enabled);
  EXPECT_EQ(config->watcher.host.interval, 90s);
  EXPECT_EQ(config->watcher.host.cpu_percent.warning, 80.0);
  EXPECT_EQ(config->watcher.host.cpu_percent.critical, std::nullopt);
  EXPECT_EQ(config->watcher.host.disk_percent.critical, 2.5);
  EXPECT_EQ(config->watcher.host.load_per_cpu.warning, 12.0);
  EXPECT_EQ(config->watcher.host.load_per_cpu.critical, 16.0);
  EXPECT_EQ(config->watcher.host.memory_percent.critical, 97.0);  // untouched default
  EXPECT_EQ(config->watcher.host.mounts, (std::vector<std::string>{"/", "/home"}));
  EXPECT_EQ(config->watcher.host.proc_root, "/host/proc");
  EXPECT_EQ(config->guardian.correlation_window, 2min);
  EXPECT_EQ(config->guardian.max_open_incidents, 50);
  EXPECT_EQ(config->brain.autonomy_level, Autonomy::kN2);
  EXPECT_EQ(config->brain.policy_dir, "/etc/orion/policies");
  EXPECT_EQ(config->approval.default_timeout, 60s);
  EXPECT_EQ(config->approval.max_timeout, 10min);
  EXPECT_TRUE(config->commander.dry_run);
  EXPECT_EQ(config->memory.audit_dir, "/var/log/orion");
  EXPECT_EQ(config->memory.sync_interval, 1s);
  EXPECT_TRUE(config->api.enabled);
  EXPECT_EQ(config->api.listen, "[::1]:8080");
}

TEST_F(ConfigFileTest, UnknownTopLevelKeyNamesLineAndNearest) {
  std::string message = errors("brain:\n  autonomy_level: N0\nwacher:\n  host: {}\n");
  EXPECT_THAT(message, HasSubstr(at(3) + "wacher: unknown key; did you mean 'watcher'?"));
}

TEST_F(ConfigFileTest, MisspeltNestedKeyNamesLineAndNearest) {
  std::string message = errors("watcher:\n  host:\n    enabled: true\n    intervl: 5s\n");
  EXPECT_EQ(message, at(4) + "watcher.host.intervl: unknown key; did you mean 'interval'?");
}

TEST_F(ConfigFileTest, KeyAtTheWrongLevelPointsToItsPlace) {
  std::string message = errors("watcher:\n  interval: 5s\n");
  EXPECT_EQ(message,
            at(2) + "watcher.interval: unknown key; did you mean 'watcher.host.interval'?");
}

TEST_F(ConfigFileTest, AKeyWithALineBreakStaysOneErrorLine) {
  // A quoted YAML key may hold any character; quoted back in an error, a line break would split
  // the error (one per line) in two, and a control character would reach the terminal raw.
  std::string message = errors("api:\n  \"col\\nour\\u0005\": blue\n");
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  EXPECT_THAT(message, HasSubstr(at(2) + "api.col\\nour\\x05: unknown key")) << message;
}

TEST_F(ConfigFileTest, UnrelatedUnknownKeyListsTheValidKeys) {
  std::string message = errors("api:\n  colour: blue\n");
  EXPECT_EQ(
      message,
      at(2) + "api.colour: unknown key (valid keys under api: enabled, listen, admin_token_file)");
}

TEST_F(ConfigFileTest, WrongTypeNamesLineKeyAndExpectation) {
  std::string message = errors("watcher:\n  host:\n    interval: fast\n");
  EXPECT_EQ(message, at(3) + "watcher.host.interval: expected a duration such as 15s, got 'fast'");
  EXPECT_EQ(errors("api:\n  enabled: sometimes\n"),
            at(2) + "api.enabled: expected true or false, got 'sometimes'");
  EXPECT_EQ(errors("bus:\n  max_deliveries: lots\n"),
            at(2) + "bus.max_deliveries: expected an integer from 1 to 100, got 'lots'");
}

TEST_F(ConfigFileTest, WrongShapeIsAnErrorNotACrash) {
  EXPECT_EQ(errors("watcher:\n  host:\n    interval: [1, 2]\n"),
            at(3) + "watcher.host.interval: expected a duration such as 15s, got a list");
  EXPECT_EQ(errors("api:\n  listen: {host: x}\n"),
            at(2) + "api.listen: expected host:port, got a mapping");
  EXPECT_EQ(errors("watcher:\n  host: true\n"),
            at(2) +
                "watcher.host: expected a mapping with keys enabled, interval, cpu_percent, "
                "memory_percent, swap_percent, disk_percent, inode_percent, load_per_cpu, "
                "temperature_celsius, net_errors_per_second, fire_after, clear_after, mounts, "
                "interfaces, proc_root, sys_root, got 'true'");
  EXPECT_EQ(errors("watcher:\n  host:\n    mounts: /var\n"),
            at(3) + "watcher.host.mounts: expected a list of mount points, got '/var'");
  EXPECT_EQ(errors("watcher:\n  host:\n    mounts:\n      - /\n      - {a: b}\n"),
            at(5) + "watcher.host.mounts: item 2: expected a string, got a mapping");
  EXPECT_THAT(errors("- a\n- b\n"),
              HasSubstr("expected a mapping of configuration keys at the top level, got a list"));
  EXPECT_THAT(errors("just text\n"), HasSubstr(at(1) + "expected a mapping of configuration keys"));
}

TEST_F(ConfigFileTest, ExplicitNullIsAnErrorWhereAValueIsExpected) {
  EXPECT_EQ(errors("watcher:\n"),
            at(1) + "watcher: expected a mapping with keys host, sources, got null");
  EXPECT_EQ(errors("bus:\n  url:\n  max_deliveries: 3\n"),
            at(2) + "bus.url: expected a bus URL, got null");
  EXPECT_EQ(errors("watcher:\n  host:\n    interval: ~\n"),
            at(3) + "watcher.host.interval: expected a duration such as 15s, got null");
  EXPECT_EQ(errors("watcher:\n  host:\n    mounts:\n"),
            at(3) + "watcher.host.mounts: expected a list of mount points, got null");
}

TEST_F(ConfigFileTest, NullThresholdTurnsTheLevelOff) {
  auto config = load(
      "watcher:\n  host:\n    disk_percent:\n      warning: null\n"
      "      critical: none\n");
  ASSERT_TRUE(config.isOk()) << config.status().message();
  EXPECT_EQ(config->watcher.host.disk_percent.warning, std::nullopt);
  EXPECT_EQ(config->watcher.host.disk_percent.critical, std::nullopt);
}

TEST_F(ConfigFileTest, OutOfRangeValuesNameLineKeyAndRange) {
  EXPECT_EQ(errors("bus:\n  max_deliveries: 0\n"),
            at(2) + "bus.max_deliveries: expected an integer from 1 to 100, got '0'");
  EXPECT_EQ(errors("bus:\n  max_deliveries: 101\n"),
            at(2) + "bus.max_deliveries: expected an integer from 1 to 100, got '101'");
  EXPECT_EQ(errors("bus:\n  max_stream_length: 0\n"),
            at(2) + "bus.max_stream_length: expected an integer from 1 to 100000000, got '0'");
  EXPECT_EQ(errors("watcher:\n  host:\n    interval: 50ms\n"),
            at(3) + "watcher.host.interval: expected a duration from 100ms to 1d, got '50ms'");
  EXPECT_EQ(errors("watcher:\n  host:\n    cpu_percent: {warning: 101}\n"),
            at(3) + "watcher.host.cpu_percent.warning: expected a number from 0 to 100, got '101'");
  EXPECT_EQ(
      errors("watcher:\n  host:\n    load_per_cpu: {critical: -1}\n"),
      at(3) + "watcher.host.load_per_cpu.critical: expected a number of at least 0, got '-1'");
  EXPECT_THAT(errors("api:\n  listen: 127.0.0.1:70000\n"),
              HasSubstr(at(2) + "api.listen: expected host:port with a port from 1 to 65535"));
  EXPECT_EQ(errors("approval:\n  max_timeout: 2h\n"),
            at(2) + "approval.max_timeout: expected a duration from 1s to 1h, got '2h'");
  EXPECT_EQ(errors("guardian:\n  correlation_window: 0s\n"),
            at(2) + "guardian.correlation_window: expected a duration from 1ms to 1d, got '0s'");
  EXPECT_THAT(errors("watcher:\n  host:\n    mounts: [/, var]\n"),
              HasSubstr(at(3) + "watcher.host.mounts: item 2: expected an absolute mount point"));
  EXPECT_EQ(errors("node:\n  name: ''\n"),
            at(2) + "node.name: expected a non-empty node name, got ''");
  EXPECT_THAT(errors("bus:\n  stream_prefix: 'a b'\n"),
              HasSubstr(at(2) + "bus.stream_prefix: expected a stream prefix"));
}

TEST_F(ConfigFileTest, BadEnumsListTheChoices) {
  EXPECT_EQ(errors("brain:\n  autonomy_level: N7\n"),
            at(2) + "brain.autonomy_level: expected one of N0, N1, N2, N3, got 'N7'");
  EXPECT_EQ(errors("bus:\n  when_full: explode\n"),
            at(2) + "bus.when_full: expected one of drop_oldest, block, got 'explode'");
  EXPECT_EQ(errors("log:\n  format: xml\n"),
            at(2) + "log.format: expected one of auto, text, json, got 'xml'");
  EXPECT_THAT(errors("log:\n  level: loud\n"),
              HasSubstr(at(2) + "log.level: unknown log level 'loud' (expected trace"));
}

TEST_F(ConfigFileTest, WarningAboveCriticalIsReportedAtTheLaterKey) {
  EXPECT_EQ(errors("watcher:\n  host:\n    disk_percent:\n      warning: 96\n"),
            at(4) +
                "watcher.host.disk_percent.warning: expected at most the critical level (95), "
                "got 96");
  EXPECT_EQ(errors("watcher:\n  host:\n    disk_percent:\n      warning: 50\n      critical: 40\n"),
            at(5) +
                "watcher.host.disk_percent.critical: expected at least the warning level (50), "
                "got 40");
  EXPECT_TRUE(load("watcher:\n  host:\n    disk_percent: {warning: 95, critical: 95}\n").isOk());
  EXPECT_TRUE(load("watcher:\n  host:\n    disk_percent: {warning: 99, critical: null}\n").isOk());
}

TEST_F(ConfigFileTest, ApprovalDefaultTimeoutMustNotExceedTheMaximum) {
  EXPECT_EQ(
      errors("approval:\n  max_timeout: 2m\n"),
      at(2) + "approval.max_timeout: expected at least approval.default_timeout (5m), got 2m");
}

TEST_F(ConfigFileTest, MalformedYamlGivesTheParserLine) {
  std::string message = errors("bus:\n  url: ''\n  max_deliveries: [1, 2\nwatcher: {}\n");
  EXPECT_THAT(message, HasSubstr(file_.string() + ":4: invalid YAML: "));
  EXPECT_THAT(errors("a: b\n  c: d\n"), HasSubstr(at(2) + "invalid YAML: "));
}

TEST_F(ConfigFileTest, DuplicateKeyIsAnError) {
  EXPECT_EQ(errors("api:\n  enabled: true\n  enabled: false\n"),
            at(3) + "api.enabled: duplicate key (first set at line 2)");
}

TEST_F(ConfigFileTest, SeveralDocumentsAreAnError) {
  EXPECT_THAT(errors("api: {}\n---\nbus: {}\n"),
              HasSubstr(at(3) + "expected one YAML document, found 2"));
}

TEST_F(ConfigFileTest, EveryErrorIsReportedOnItsOwnLine) {
  std::string message = errors(R"(wacher: {}
bus:
  max_deliveries: 0
  when_full: sometimes
brain:
  autonomy_level: N9
api:
  listen: nowhere
)");
  EXPECT_EQ(lineCount(message), 5u) << message;
  EXPECT_THAT(message, HasSubstr(at(1) + "wacher: unknown key"));
  EXPECT_THAT(message, HasSubstr(at(3) + "bus.max_deliveries:"));
  EXPECT_THAT(message, HasSubstr(at(4) + "bus.when_full:"));
  EXPECT_THAT(message, HasSubstr(at(6) + "brain.autonomy_level:"));
  EXPECT_THAT(message, HasSubstr(at(8) + "api.listen:"));
}

TEST_F(ConfigFileTest, MissingFileIsAClearError) {
  LoadOptions options;
  options.file = dir_.path() / "nope.yaml";
  auto result = loadConfig(options);
  ASSERT_FALSE(result.isOk());
  EXPECT_EQ(result.status().message(),
            (dir_.path() / "nope.yaml").string() + ": config file not found");
}

TEST_F(ConfigFileTest, DirectoryIsNotAConfigFile) {
  LoadOptions options;
  options.file = dir_.path();
  auto result = loadConfig(options);
  ASSERT_FALSE(result.isOk());
  EXPECT_THAT(result.status().message(), HasSubstr("expected a config file, got a directory"));
}

TEST_F(ConfigFileTest, ChoicesAreCaseInsensitive) {
  auto config = load("brain: {autonomy_level: n3}\nlog: {level: INFO, format: TEXT}\n");
  ASSERT_TRUE(config.isOk()) << config.status().message();
  EXPECT_EQ(config->brain.autonomy_level, Autonomy::kN3);
  EXPECT_EQ(config->log.level, "info");
  EXPECT_EQ(config->log.format, LogFormat::kText);
  EXPECT_EQ(toString(config->brain.autonomy_level), "N3");
}

}  // namespace
}  // namespace orion::config
