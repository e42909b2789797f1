// The registry itself: embedded schemas match contracts/, loading a directory fails clearly,
// hostile input cannot crash the validator, and concurrent use is safe.
#include "contracts/registry.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "contracts/embedded_schemas.h"
#include "fixtures.h"
#include "test_support.h"
#include "testing/temp_dir.h"

namespace orion::contracts {
namespace {

using orion::testing::TempDir;
using testing::describe;
using testing::embeddedRegistry;
using testing::hasFailureAt;
using testing::validDocument;

const std::filesystem::path kContractsDir = std::filesystem::path(ORION_SOURCE_DIR) / "contracts";

TEST(Registry, EmbeddedSchemasAreExactlyTheFilesInContracts) {
  std::map<std::string, std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(kContractsDir)) {
    const std::string name = entry.path().filename().string();
    if (name.ends_with(".schema.json")) {
      files[name] = orion::testing::readFile(entry.path());
    }
  }
  std::map<std::string, std::string> embedded;
  for (const EmbeddedFile& file : embeddedSchemas()) {
    embedded[std::string(file.name)] = std::string(file.bytes);
  }
  EXPECT_EQ(embedded, files);
  EXPECT_EQ(embedded.size(), 16u);
}

TEST(Registry, LoadDirectoryOfTheSourceTreeMatchesEmbedded) {
  auto loaded = ContractRegistry::loadDirectory(kContractsDir);
  ASSERT_TRUE(loaded.isOk()) << loaded.status().toString();
  EXPECT_EQ((*loaded)->types(), embeddedRegistry()->types());
  for (const std::string& type : (*loaded)->types()) {
    EXPECT_EQ(*(*loaded)->schema(type), *embeddedRegistry()->schema(type)) << type;
  }
}

TEST(Registry, EveryNamedTypeConstantIsRegistered) {
  for (std::string_view type :
       {type::kEvent, type::kIncident, type::kDecision, type::kAction, type::kOutcome,
        type::kApprovalRequest, type::kApprovalDecision, type::kApproval, type::kValidation,
        type::kEdgeCommand, type::kEdgeTelemetry, type::kEdgeHealth, type::kDeadletter,
        type::kAutonomyChange}) {
    EXPECT_TRUE(embeddedRegistry()->has(type)) << type;
  }
  EXPECT_FALSE(embeddedRegistry()->has("events"));
  EXPECT_EQ(embeddedRegistry()->schema("events"), nullptr);
}

TEST(Registry, PipelineTypesInPipelineOrder) {
  const std::vector<std::string_view> expected = {
      "event",  "incident", "decision", "approval_request", "approval_decision",
      "action", "outcome"};
  EXPECT_EQ(pipelineTypes(), expected);
}

TEST(Registry, StreamKeyIsPrefixColonTypePlural) {
  EXPECT_EQ(streamKey("orion", "event"), "orion:events");
  EXPECT_EQ(streamKey("orion", "approval_request"), "orion:approval_requests");
  EXPECT_EQ(streamKey("lab", "edge.command"), "lab:edge.commands");
}

TEST(RegistryLoad, MissingDirectoryIsNamed) {
  auto loaded = ContractRegistry::loadDirectory("/nonexistent/contracts");
  ASSERT_FALSE(loaded.isOk());
  EXPECT_EQ(loaded.status().code(), StatusCode::kNotFound);
  EXPECT_NE(loaded.status().message().find("/nonexistent/contracts"), std::string::npos);
  EXPECT_NE(loaded.status().message().find("does not exist"), std::string::npos);
}

TEST(RegistryLoad, DirectoryWithoutSchemasSaysSo) {
  TempDir dir;
  dir.write("README.md", "no schemas here");
  auto loaded = ContractRegistry::loadDirectory(dir.path());
  ASSERT_FALSE(loaded.isOk());
  EXPECT_NE(loaded.status().message().find("no schema files found"), std::string::npos)
      << loaded.status().message();
}

// A directory holding one valid schema and one file with `broken_text`; the error must name the
// broken file and contain `expected`.
void expectBrokenSchemaError(const std::string& broken_text, const std::string& expected) {
  TempDir dir;
  dir.write("event.schema.json", orion::testing::readFile(kContractsDir / "event.schema.json"));
  const auto broken = dir.write("broken.schema.json", broken_text);
  auto loaded = ContractRegistry::loadDirectory(dir.path());
  ASSERT_FALSE(loaded.isOk()) << broken_text;
  EXPECT_EQ(loaded.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(loaded.status().message().find(broken.string()), std::string::npos)
      << loaded.status().message();
  EXPECT_NE(loaded.status().message().find(expected), std::string::npos)
      << loaded.status().message();
}

TEST(RegistryLoad, BrokenSchemasAreRefusedNamingFileAndPlace) {
  expectBrokenSchemaError("{\"type\": \"object\",", "");
  expectBrokenSchemaError("[1, 2]", "expected a JSON object");
  expectBrokenSchemaError(R"({"properties": {"a": {"type": "string", "format": "email"}}})",
                          "/properties/a/format: unsupported format \"email\"");
  expectBrokenSchemaError(R"({"properties": {"a": {"pattern": "([a-z"}}})",
                          "/properties/a/pattern: invalid regular expression");
  expectBrokenSchemaError(R"({"unevaluatedProperties": false})",
                          "keyword 'unevaluatedProperties' is not supported");
  expectBrokenSchemaError(R"({"properties": {"a": 5}})", "/properties/a: expected a schema object");
  expectBrokenSchemaError(R"({"$schema": "http://json-schema.org/draft-07/schema#"})", "/$schema");
  expectBrokenSchemaError(R"({"type": "strng"})", "schema does not compile");
}

TEST(RegistryLoad, AcceptsAPropertyNamedFormat) {
  TempDir dir;
  dir.write("thing.schema.json",
            R"({"type": "object", "properties": {"format": {"type": "string"}}})");
  auto loaded = ContractRegistry::loadDirectory(dir.path());
  ASSERT_TRUE(loaded.isOk()) << loaded.status().toString();
  EXPECT_TRUE((*loaded)->check("thing", Json{{"format", "anything"}}).empty());
  EXPECT_FALSE((*loaded)->check("thing", Json{{"format", 3}}).empty());
}

TEST(Validator, VeryLongStringsDoNotCrash) {
  // libstdc++'s recursive regex executor overflows the stack on strings this long.
  Json doc = validDocument("event");
  doc["source"] = "orion-" + std::string(1'000'000, 'a');
  EXPECT_TRUE(embeddedRegistry()->check("event", doc).empty());
  doc["source"] = "orion-" + std::string(1'000'000, 'a') + "!";
  EXPECT_TRUE(hasFailureAt(embeddedRegistry()->check("event", doc), "/source"));
}

TEST(Validator, OtherPatternsUseStdRegexSafelyOnLongStrings) {
  TempDir dir;
  dir.write(
      "thing.schema.json",
      R"({"type": "object", "properties": {"code": {"type": "string", "pattern": "^(ab)+$"}}})");
  auto loaded = ContractRegistry::loadDirectory(dir.path());
  ASSERT_TRUE(loaded.isOk()) << loaded.status().toString();
  std::string repeated;
  for (int i = 0; i < 2000; ++i) repeated += "ab";  // past the recursive executor's limit
  EXPECT_TRUE((*loaded)->check("thing", Json{{"code", repeated}}).empty());
  EXPECT_TRUE(hasFailureAt((*loaded)->check("thing", Json{{"code", repeated + "a"}}), "/code"));
  EXPECT_TRUE((*loaded)->check("thing", Json{{"code", "abab"}}).empty());
  EXPECT_TRUE(hasFailureAt((*loaded)->check("thing", Json{{"code", "aba"}}), "/code"));
}

TEST(Validator, FormatFailureQuotesABoundedPrefixOfTheValue) {
  Json doc = validDocument("event");
  doc["event_id"] = std::string(10'000, 'x');
  const auto failures = embeddedRegistry()->check("event", doc);
  ASSERT_EQ(failures.size(), 1u) << describe(failures);
  EXPECT_EQ(failures[0].pointer, "/event_id");
  EXPECT_LT(failures[0].message.size(), 200u);
}

TEST(Validator, PointersEscapeSlashAndTilde) {
  Json doc = validDocument("event");
  doc["tags"]["a/b~c"] = 1;
  EXPECT_TRUE(hasFailureAt(embeddedRegistry()->check("event", doc), "/tags/a~1b~0c"));
}

TEST(Validator, ArrayIndicesAppearInPointers) {
  Json doc = validDocument("incident");
  doc["event_ids"] = {std::string(testing::kUuidA), "nope"};
  const auto failures = embeddedRegistry()->check("incident", doc);
  ASSERT_EQ(failures.size(), 1u) << describe(failures);
  EXPECT_EQ(failures[0].pointer, "/event_ids/1");
}

TEST(Validator, ReportsEveryFailureOnce) {
  Json doc = validDocument("event");
  doc.erase("event_id");
  doc["severity"] = "fatal";
  doc["extra"] = true;
  const auto failures = embeddedRegistry()->check("event", doc);
  EXPECT_EQ(failures.size(), 3u) << describe(failures);
  std::set<std::string> pointers;
  for (const auto& failure : failures) pointers.insert(failure.pointer);
  EXPECT_EQ(pointers, (std::set<std::string>{"/event_id", "/severity", "/extra"}));
}

TEST(Validator, ConcurrentChecksAgree) {
  auto registry = embeddedRegistry();
  Json invalid = validDocument("edge.health");
  invalid["source"] = "edge";
  std::vector<std::thread> threads;
  std::vector<int> wrong(2, 0);
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        if (!registry->check("edge.health", validDocument("edge.health")).empty()) ++wrong[t];
        if (!hasFailureAt(registry->check("edge.health", invalid), "/source")) ++wrong[t];
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wrong, (std::vector<int>{0, 0}));
}

}  // namespace
}  // namespace orion::contracts
