// The same checks for every schema in contracts/: a valid document is accepted; each required
// field missing, an unknown field, a wrong version, a bad `format` value and a non-object are
// rejected with a failure whose pointer names the field.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "contracts/registry.h"
#include "fixtures.h"
#include "test_support.h"

namespace orion::contracts {
namespace {

using testing::describe;
using testing::hasFailureAt;
using testing::validDocument;

std::shared_ptr<const ContractRegistry> registry() { return testing::embeddedRegistry(); }

// Something the schema constrains at a place the valid fixture has a value.
struct Site {
  std::string pointer;
  std::string detail;  // the required property, or the format
};

// Walks `schema` alongside `doc` through properties, items and every branch, collecting the
// `format`s that apply to a value present in the document.
void collectFormats(const Json& schema, const Json& doc, const std::string& pointer,
                    std::vector<Site>& out) {
  if (!schema.is_object()) return;
  if (auto format = schema.find("format"); format != schema.end() && doc.is_string()) {
    for (const Site& seen : out) {
      if (seen.pointer == pointer) return;
    }
    out.push_back({pointer, format->get<std::string>()});
  }
  if (auto props = schema.find("properties"); props != schema.end() && doc.is_object()) {
    for (const auto& [name, sub] : props->items()) {
      if (doc.contains(name)) collectFormats(sub, doc[name], pointer + "/" + name, out);
    }
  }
  if (auto items = schema.find("items"); items != schema.end() && doc.is_array()) {
    for (size_t i = 0; i < doc.size(); ++i) {
      collectFormats(*items, doc[i], pointer + "/" + std::to_string(i), out);
    }
  }
  for (const char* list : {"allOf", "anyOf", "oneOf"}) {
    if (auto it = schema.find(list); it != schema.end()) {
      for (const Json& sub : *it) collectFormats(sub, doc, pointer, out);
    }
  }
  for (const char* branch : {"then", "else"}) {
    if (auto it = schema.find(branch); it != schema.end()) collectFormats(*it, doc, pointer, out);
  }
}

// Every object (the root and nested ones present in the document) with its `required` list and
// whether it forbids additional properties.
void collectObjects(const Json& schema, const Json& doc, const std::string& pointer,
                    std::vector<std::pair<std::string, const Json*>>& out) {
  if (!schema.is_object() || !doc.is_object()) return;
  out.emplace_back(pointer, &schema);
  if (auto props = schema.find("properties"); props != schema.end()) {
    for (const auto& [name, sub] : props->items()) {
      if (doc.contains(name)) collectObjects(sub, doc[name], pointer + "/" + name, out);
    }
  }
}

class EverySchemaTest : public ::testing::TestWithParam<std::string> {
 protected:
  const std::string& type() const { return GetParam(); }
  const Json& schema() const { return *registry()->schema(type()); }
  std::vector<ValidationFailure> check(const Json& doc) const {
    return registry()->check(type(), doc);
  }
};

TEST_P(EverySchemaTest, IsDeclaredDraft202012WithClosedObjectAndVersion) {
  ASSERT_NE(registry()->schema(type()), nullptr);
  EXPECT_EQ(schema()["$schema"], "https://json-schema.org/draft/2020-12/schema");
  EXPECT_TRUE(schema()["$id"].get<std::string>().starts_with("https://orion.internal/schemas/"));
  EXPECT_EQ(schema()["type"], "object");
  EXPECT_EQ(schema()["additionalProperties"], false);
  EXPECT_EQ(schema()["properties"]["version"]["const"], "1.0");
  EXPECT_NE(std::find(schema()["required"].begin(), schema()["required"].end(), "version"),
            schema()["required"].end());
}

TEST_P(EverySchemaTest, AcceptsValidDocument) {
  const auto failures = check(validDocument(type()));
  EXPECT_TRUE(failures.empty()) << describe(failures);
  EXPECT_TRUE(registry()->validate(type(), validDocument(type())).isOk());
}

TEST_P(EverySchemaTest, RejectsEachMissingRequiredFieldNamingIt) {
  const Json valid = validDocument(type());
  std::vector<std::pair<std::string, const Json*>> objects;
  collectObjects(schema(), valid, "", objects);
  int checked = 0;
  for (const auto& [pointer, object_schema] : objects) {
    for (const Json& field : object_schema->value("required", Json::array())) {
      Json doc = valid;
      doc[Json::json_pointer(pointer)].erase(field.get<std::string>());
      const std::string where = pointer + "/" + field.get<std::string>();
      const auto failures = check(doc);
      EXPECT_TRUE(hasFailureAt(failures, where)) << where << describe(failures);
      ++checked;
    }
  }
  EXPECT_GE(checked, 4);
}

TEST_P(EverySchemaTest, RejectsUnknownFieldInEveryClosedObject) {
  const Json valid = validDocument(type());
  std::vector<std::pair<std::string, const Json*>> objects;
  collectObjects(schema(), valid, "", objects);
  for (const auto& [pointer, object_schema] : objects) {
    if (object_schema->value("additionalProperties", Json(true)) != false) continue;
    Json doc = valid;
    doc[Json::json_pointer(pointer)]["unexpected_field"] = 1;
    const auto failures = check(doc);
    EXPECT_TRUE(hasFailureAt(failures, pointer + "/unexpected_field"))
        << pointer << describe(failures);
  }
}

TEST_P(EverySchemaTest, RejectsOtherVersions) {
  for (const Json& version : {Json("2.0"), Json("1.1"), Json(""), Json(1.0), Json(nullptr)}) {
    Json doc = validDocument(type());
    doc["version"] = version;
    const auto failures = check(doc);
    EXPECT_TRUE(hasFailureAt(failures, "/version")) << version.dump() << describe(failures);
  }
}

TEST_P(EverySchemaTest, RejectsBadValueOfEveryFormatField) {
  const Json valid = validDocument(type());
  std::vector<Site> sites;
  collectFormats(schema(), valid, "", sites);
  EXPECT_GE(sites.size(), 2u) << "every contract has at least an id and a timestamp";
  for (const Site& site : sites) {
    const std::vector<std::string> bad_values =
        site.detail == "uuid"
            ? std::vector<std::string>{"not-a-uuid", "0b7e7c1e3f4a4c559a2e8f0e6f1d2c3b", ""}
            : std::vector<std::string>{"2026-01-14T12:00:00", "2026-01-14", "2026-02-30T12:00:00Z",
                                       "2026-01-14 12:00:00Z", "yesterday"};
    for (const std::string& bad : bad_values) {
      Json doc = valid;
      doc[Json::json_pointer(site.pointer)] = bad;
      const auto failures = check(doc);
      EXPECT_TRUE(hasFailureAt(failures, site.pointer))
          << site.pointer << " = '" << bad << "'" << describe(failures);
    }
  }
}

TEST_P(EverySchemaTest, RejectsNonObjectDocuments) {
  for (const Json& doc : {Json::array(), Json("event"), Json(1), Json(nullptr)}) {
    const auto failures = check(doc);
    EXPECT_TRUE(hasFailureAt(failures, "")) << doc.dump() << describe(failures);
  }
}

TEST_P(EverySchemaTest, ValidateListsFailuresWithPointers) {
  Json doc = validDocument(type());
  doc["version"] = "2.0";
  const Status status = registry()->validate(type(), doc);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("/version: must be \"1.0\""), std::string::npos)
      << status.message();
}

INSTANTIATE_TEST_SUITE_P(Contracts, EverySchemaTest, ::testing::ValuesIn(testing::allTypes()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           std::replace(name.begin(), name.end(), '.', '_');
                           return name;
                         });

TEST(EverySchema, FixturesCoverEveryRegisteredType) {
  EXPECT_EQ(registry()->types(), testing::allTypes());
}

}  // namespace
}  // namespace orion::contracts
