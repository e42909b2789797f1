#include "config/yaml_document.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace orion::config {
namespace {

using ::testing::HasSubstr;

TEST(YamlDocumentTest, EmptyTextsAreANullDocument) {
  for (const char* text : {"", "\n", "# a comment\n", "---\n", "---\n...\n"}) {
    auto document = loadYamlDocument(text, "f.yaml");
    ASSERT_TRUE(document.isOk()) << text << ": " << document.status().message();
    EXPECT_TRUE(document->IsNull()) << text;
  }
}

TEST(YamlDocumentTest, OneDocumentLoads) {
  auto document = loadYamlDocument("---\na: 1\nb: [x, y]\n", "f.yaml");
  ASSERT_TRUE(document.isOk()) << document.status().message();
  EXPECT_EQ((*document)["a"].as<int>(), 1);
  EXPECT_EQ((*document)["b"].size(), 2u);
}

TEST(YamlDocumentTest, SeveralDocumentsAreAnErrorAtTheSecond) {
  auto document = loadYamlDocument("a: 1\n---\nb: 2\n", "f.yaml");
  ASSERT_FALSE(document.isOk());
  EXPECT_THAT(document.status().message(), HasSubstr("f.yaml:3: expected one YAML document"));
}

TEST(YamlDocumentTest, SyntaxErrorsNameTheLine) {
  auto document = loadYamlDocument("a: 1\nb: [1, 2\n", "f.yaml");
  ASSERT_FALSE(document.isOk());
  EXPECT_THAT(document.status().message(), HasSubstr("f.yaml:"));
  EXPECT_THAT(document.status().message(), HasSubstr("invalid YAML"));
}

// yaml-cpp 0.7's LoadAll never returns on these (found by tests/fuzz/config_fuzz); they must be
// errors, promptly.
TEST(YamlDocumentTest, InputsThatHangLoadAllAreErrors) {
  for (const char* text : {",", ",\n", ",ode:\n  name: pi\n", "- a\n,\n"}) {
    auto document = loadYamlDocument(text, "f.yaml");
    EXPECT_FALSE(document.isOk() && !document->IsNull() && document->IsMap()) << text;
    if (!document.isOk()) {
      EXPECT_THAT(document.status().message(), HasSubstr("f.yaml:"));
    }
  }
}

}  // namespace
}  // namespace orion::config
