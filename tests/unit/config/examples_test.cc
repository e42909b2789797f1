// The shipped examples and the reference documentation stay in step with the key table.
#include "config/schema.h"
#include "config_test_util.h"

namespace orion::config {
namespace {

using namespace std::chrono_literals;

const std::filesystem::path kSourceDir = ORION_SOURCE_DIR;

TEST(ExamplesTest, ExampleYamlLoads) {
  LoadOptions options;
  options.file = kSourceDir / "config/orion.example.yaml";
  auto config = loadConfig(options);
  ASSERT_TRUE(config.isOk()) << config.status().message();
  EXPECT_EQ(config->brain.autonomy_level, Autonomy::kN0);
  EXPECT_EQ(config->api.listen, "127.0.0.1:9750");
}

TEST(ExamplesTest, ExampleEnvFileLoads) {
  LoadOptions options;
  options.env_file = kSourceDir / "config/orion.env.example";
  auto config = loadConfig(options);
  ASSERT_TRUE(config.isOk()) << config.status().message();
  EXPECT_EQ(config->brain.autonomy_level, Autonomy::kN0);
}

TEST(ExamplesTest, ExampleYamlAndEnvFileLoadTogether) {
  LoadOptions options;
  options.file = kSourceDir / "config/orion.example.yaml";
  options.env_file = kSourceDir / "config/orion.env.example";
  auto config = loadConfig(options);
  ASSERT_TRUE(config.isOk()) << config.status().message();
}

TEST(ExamplesTest, DocsNameEveryKeyAndVariable) {
  std::string docs = testing::readFile(kSourceDir / "docs/configuration.md");
  ASSERT_FALSE(docs.empty());
  Schema schema;
  for (const auto& field : schema.fields()) {
    EXPECT_NE(docs.find("`" + field.path + "`"), std::string::npos) << field.path;
  }
  for (const auto& name : schema.envNames()) {
    EXPECT_NE(docs.find(name), std::string::npos) << name;
  }
}

TEST(ExamplesTest, ExampleYamlMentionsEveryKey) {
  std::string example = testing::readFile(kSourceDir / "config/orion.example.yaml");
  Schema schema;
  for (const auto& field : schema.fields()) {
    auto dot = field.path.rfind('.');
    std::string last = dot == std::string::npos ? field.path : field.path.substr(dot + 1);
    EXPECT_NE(example.find(last + ":"), std::string::npos) << field.path;
  }
}

TEST(SchemaTest, EnvironmentNamesAreUnambiguous) {
  Schema schema;
  std::set<std::string> seen;
  for (const auto& field : schema.fields()) {
    if (field.kind == ValueKind::kInstances) continue;  // its instances' keys have variables
    EXPECT_TRUE(seen.insert(Schema::envName(field.path)).second) << field.path;
    EXPECT_EQ(schema.findByEnvName(Schema::envName(field.path)), &field);
  }
}

}  // namespace
}  // namespace orion::config
