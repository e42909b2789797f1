#include <yaml-cpp/yaml.h>

#include "config/schema.h"
#include "config_test_util.h"

namespace orion::config {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

class RenderTest : public ConfigFileTest {
 protected:
  // Renders `config`, loads the text back and checks every key survived.
  void expectRoundTrip(const Config& config) {
    std::string rendered = renderYaml(config);
    auto reloaded = load(rendered);
    ASSERT_TRUE(reloaded.isOk()) << reloaded.status().message() << "\n" << rendered;
    EXPECT_EQ(renderYaml(*reloaded), rendered);
    Schema schema;
    for (const auto& field : schema.fields()) {
      RawValue before = field.read(config);
      RawValue after = field.read(*reloaded);
      EXPECT_EQ(before.shape, after.shape) << field.path;
      EXPECT_EQ(before.text, after.text) << field.path;
      EXPECT_EQ(before.items, after.items) << field.path;
    }
  }
};

TEST_F(RenderTest, DefaultsRoundTrip) {
  auto config = load("");
  ASSERT_TRUE(config.isOk());
  expectRoundTrip(*config);
}

TEST_F(RenderTest, UnusualValuesRoundTrip) {
  Config config;
  config.node.name = "true";  // a string that YAML would otherwise read as a boolean
  config.state_dir = "/srv/orion state/#1";
  config.log.level = "trace";
  config.log.format = LogFormat::kJson;
  config.bus.url = "redis://user:p@ss@host:6379/1";
  config.bus.when_full = "block";
  config.bus.block_timeout = 0ms;
  config.bus.redelivery_delay = 1500ms;
  config.watcher.host.enabled = false;
  config.watcher.host.interval = 90s;  // rendered "1m30s"
  config.watcher.host.cpu_percent = {std::nullopt, 99.5};
  config.watcher.host.load_per_cpu = {0.25, std::nullopt};
  config.watcher.host.mounts = {"/", "/var/lib/with space", "/x,y"};
  config.guardian.correlation_window = 5400s;  // rendered "1h30m"
  config.brain.autonomy_level = Autonomy::kN3;
  config.brain.policy_dir = "null";
  config.approval.default_timeout = 3600s;
  config.approval.max_timeout = 3600s;
  config.commander.dry_run = true;
  config.memory.audit_dir = "\"quoted\" name";
  config.api.listen = "[::1]:1";
  expectRoundTrip(config);
}

TEST_F(RenderTest, RendersEveryKeyInNestedYaml) {
  auto config = load("");
  ASSERT_TRUE(config.isOk());
  std::string rendered = renderYaml(*config);
  YAML::Node root = YAML::Load(rendered);
  Schema schema;
  for (const auto& field : schema.fields()) {
    YAML::Node node = YAML::Clone(root);
    size_t start = 0;
    while (start <= field.path.size()) {
      size_t dot = field.path.find('.', start);
      std::string name = field.path.substr(start, dot == std::string::npos ? dot : dot - start);
      ASSERT_TRUE(node.IsMap() && node[name]) << field.path << " missing in\n" << rendered;
      node = node[name];
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
  }
  EXPECT_THAT(rendered, HasSubstr("interval: 15s"));
  EXPECT_THAT(rendered, HasSubstr("autonomy_level: N0"));
  EXPECT_THAT(rendered, HasSubstr("url: \"\""));
}

}  // namespace
}  // namespace orion::config
