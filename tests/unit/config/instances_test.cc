// Instance lists (`watcher.sources`): entries checked against their type's own key table, with
// the same file:line messages as top-level keys; environment overrides of defined instances;
// rendering that loads back.
#include <sstream>

#include "config/fields/fields.h"
#include "config/instance_list.h"
#include "config_test_util.h"

namespace orion::config {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

constexpr std::string_view kTwoSources =
    "watcher:\n"                                 // 1
    "  sources:\n"                               // 2
    "    - type: http\n"                         // 3
    "      name: web-api\n"                      // 4
    "      url: http://127.0.0.1:8080/health\n"  // 5
    "      interval: 10s\n"                      // 6
    "      labels: {env: lab, team: ops}\n"      // 7
    "      expect_status: [200, 3xx]\n"          // 8
    "    - type: tcp\n"                          // 9
    "      port: 5432\n";                        // 10

class InstancesTest : public ConfigFileTest {};

TEST_F(InstancesTest, EntriesLoadIntoTheirTypesSettings) {
  auto config = load(kTwoSources);
  ASSERT_TRUE(config.isOk()) << config.status().message();
  const auto& sources = config->watcher.sources;
  ASSERT_EQ(sources.size(), 2u);
  EXPECT_EQ(sources[0].type, "http");
  EXPECT_EQ(sources[0].name, "web-api");
  EXPECT_EQ(sources[0].location, file_.string() + ":3");
  const auto& http = std::get<HttpProbeConfig>(sources[0].settings);
  EXPECT_EQ(http.url, "http://127.0.0.1:8080/health");
  EXPECT_EQ(http.interval, 10s);
  EXPECT_EQ(http.labels, (std::map<std::string, std::string>{{"env", "lab"}, {"team", "ops"}}));
  EXPECT_EQ(http.expect_status, (std::vector<std::string>{"200", "3xx"}));
  EXPECT_EQ(http.timeout, 5s) << "defaults fill what the entry does not set";
  EXPECT_EQ(sources[1].name, "tcp") << "the name defaults to the type";
  const auto& tcp = std::get<TcpProbeConfig>(sources[1].settings);
  EXPECT_EQ(tcp.port, 5432);
  EXPECT_EQ(tcp.host, "127.0.0.1");
  EXPECT_EQ(tcp.interval, 30s);
}

TEST_F(InstancesTest, UnknownTypeNamesTheLineAndTheNearestType) {
  std::string message = errors("watcher:\n  sources:\n    - type: htp\n      url: http://x/\n");
  EXPECT_EQ(message, at(3) +
                         "watcher.sources[1].type: unknown type 'htp'; did you mean 'http'? "
                         "(types: containers, http, tcp, process, prometheus)");
  EXPECT_THAT(errors("watcher:\n  sources:\n    - url: http://x/\n"),
              HasSubstr(at(3) + "watcher.sources[1]: expected a 'type' key"));
}

TEST_F(InstancesTest, MisspeltKeyInAnEntryGetsTheNearestKeyOfItsType) {
  std::string message = errors(
      "watcher:\n  sources:\n    - type: http\n      name: web\n      url: http://x/\n"
      "      timout: 2s\n");
  EXPECT_EQ(message, at(6) + "watcher.sources[web].timout: unknown key; did you mean 'timeout'?");
  // A key of another type is unknown here, with the valid keys listed.
  EXPECT_THAT(errors("watcher:\n  sources:\n    - type: tcp\n      port: 1\n      query: up\n"),
              HasSubstr(at(5) + "watcher.sources[tcp].query: unknown key (valid keys under "
                                "watcher.sources[tcp]: interval, labels"));
}

TEST_F(InstancesTest, WrongValuesNameLineKeyAndExpectation) {
  std::string message = errors(
      "watcher:\n"
      "  sources:\n"
      "    - type: tcp\n"
      "      port: 70000\n"
      "    - type: http\n"
      "      url: ftp://x\n"
      "      interval: soon\n"
      "      labels: {bad-name: x}\n");
  EXPECT_THAT(message, HasSubstr(at(4) + "watcher.sources[tcp].port: expected an integer from 1 "
                                         "to 65535, got '70000'"));
  EXPECT_THAT(message, HasSubstr(at(6) + "watcher.sources[http].url: expected an http:// or "
                                         "https:// URL, got 'ftp://x'"));
  EXPECT_THAT(message, HasSubstr(at(7) + "watcher.sources[http].interval: expected a duration"));
  EXPECT_THAT(message, HasSubstr(at(8) + "watcher.sources[http].labels: 'bad-name': expected"));
  EXPECT_EQ(lineCount(message), 4u);
}

TEST_F(InstancesTest, RequiredKeysDuplicatesAndShapes) {
  EXPECT_EQ(errors("watcher:\n  sources:\n    - type: tcp\n"),
            at(3) + "watcher.sources[tcp]: port: required for type tcp");
  EXPECT_THAT(errors("watcher:\n  sources:\n    - type: tcp\n      port: 1\n"
                     "    - type: tcp\n      port: 2\n"),
              HasSubstr(at(5) +
                        "watcher.sources[2]: duplicate instance name 'tcp' (first defined "
                        "at " +
                        file_.string() + ":3); give it a 'name'"));
  EXPECT_THAT(errors("watcher:\n  sources:\n    - type: tcp\n      name: Web_1\n      port: 1\n"),
              HasSubstr(at(4) + "watcher.sources[1].name: expected a name of lower-case"));
  EXPECT_THAT(errors("watcher:\n  sources: {type: tcp}\n"),
              HasSubstr(at(2) + "watcher.sources: expected a list of instances"));
  EXPECT_THAT(errors("watcher:\n  sources:\n    - tcp\n"),
              HasSubstr(at(3) + "watcher.sources[1]: expected a mapping with a 'type'"));
  EXPECT_THAT(errors("watcher:\n  sources:\n    - type: process\n      process_name: sshd\n"
                     "      pidfile: /run/sshd.pid\n"),
              HasSubstr("expected exactly one of process_name and pidfile"));
}

TEST_F(InstancesTest, EnvironmentOverridesAKeyOfADefinedInstance) {
  auto config = load(kTwoSources, {{"ORION_WATCHER_SOURCES_WEB_API_URL", "https://h/ok"},
                                   {"ORION_WATCHER_SOURCES_TCP_PORT", "6543"},
                                   {"ORION_WATCHER_SOURCES_WEB_API_EXPECT_STATUS", "204,2xx"}});
  ASSERT_TRUE(config.isOk()) << config.status().message();
  const auto& http = std::get<HttpProbeConfig>(config->watcher.sources[0].settings);
  EXPECT_EQ(http.url, "https://h/ok");
  EXPECT_EQ(http.expect_status, (std::vector<std::string>{"204", "2xx"}));
  EXPECT_EQ(std::get<TcpProbeConfig>(config->watcher.sources[1].settings).port, 6543);

  std::string bad = errors(kTwoSources, {{"ORION_WATCHER_SOURCES_TCP_PORT", "none"}});
  EXPECT_EQ(bad,
            "environment: ORION_WATCHER_SOURCES_TCP_PORT: watcher.sources[tcp].port: "
            "expected an integer from 1 to 65535, got 'none'");
  // An instance the file does not define cannot be created from the environment.
  EXPECT_THAT(errors(kTwoSources, {{"ORION_WATCHER_SOURCES_DB_PORT", "1"}}),
              HasSubstr("environment: unknown variable ORION_WATCHER_SOURCES_DB_PORT"));
}

TEST_F(InstancesTest, RenderedConfigLoadsBackToTheSameInstances) {
  auto config = load(kTwoSources);
  ASSERT_TRUE(config.isOk()) << config.status().message();
  std::string yaml = renderYaml(*config);
  EXPECT_THAT(yaml, HasSubstr("type: \"http\""));
  auto again = load(yaml);
  ASSERT_TRUE(again.isOk()) << again.status().message() << "\n" << yaml;
  ASSERT_EQ(again->watcher.sources.size(), 2u);
  EXPECT_EQ(again->watcher.sources[0].name, "web-api");
  const auto& http = std::get<HttpProbeConfig>(again->watcher.sources[0].settings);
  EXPECT_EQ(http.labels.at("team"), "ops");
  EXPECT_EQ(http.expect_status, (std::vector<std::string>{"200", "3xx"}));
  EXPECT_EQ(renderYaml(*again), yaml);
}

TEST_F(InstancesTest, DocsNameEveryKeyOfEverySourceType) {
  std::string docs =
      testing::readFile(std::filesystem::path(ORION_SOURCE_DIR) / "docs/configuration.md");
  for (const auto& type : watcherSourceTypes()) {
    EXPECT_NE(docs.find("`type: " + type.name + "`"), std::string::npos) << type.name;
    for (const auto& field : type.keys->fields()) {
      EXPECT_NE(docs.find("`" + type.name + "." + field.path + "`"), std::string::npos)
          << type.name << "." << field.path;
    }
  }
}

TEST_F(InstancesTest, TheExamplesCommentedSourcesAreValid) {
  std::string example =
      testing::readFile(std::filesystem::path(ORION_SOURCE_DIR) / "config/orion.example.yaml");
  std::string yaml = "watcher:\n";
  bool inside = false;
  std::istringstream lines(example);
  for (std::string line; std::getline(lines, line);) {
    if (line == "  # sources:") inside = true;
    if (!inside) continue;
    if (line.rfind("  #", 0) != 0) break;
    yaml += "  " + line.substr(4) + "\n";
  }
  auto config = load(yaml);
  ASSERT_TRUE(config.isOk()) << config.status().message() << "\n" << yaml;
  EXPECT_EQ(config->watcher.sources.size(), 5u);
}

TEST(InstanceNamesTest, EnvSegmentsAndNames) {
  EXPECT_EQ(envSegment("web-api.timeout"), "WEB_API_TIMEOUT");
  EXPECT_TRUE(checkInstanceName("jellyfin-2").isOk());
  EXPECT_FALSE(checkInstanceName("-x").isOk());
  EXPECT_FALSE(checkInstanceName("").isOk());
  EXPECT_FALSE(checkInstanceName("a_b").isOk());
}

}  // namespace
}  // namespace orion::config
