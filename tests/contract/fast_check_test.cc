// FastCheck (src/contracts/fast_check.h) must give valijson's answer on every document: it may
// only ever accept what valijson accepts, and should accept all of it (or ORION silently loses
// the speed). These tests hold the two to the same verdict on the valid fixture of every contract
// and on systematic mutations of it: each member removed, each value replaced by values of every
// JSON type and at the edges (lengths, ranges, formats, Unicode, huge integers), unknown members
// added at every level.
#include "contracts/fast_check.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "contracts/registry.h"
#include "fixtures.h"
#include "test_support.h"

namespace orion::contracts {
namespace {

const ContractRegistry& fastCheckRegistry() { return *testing::embeddedRegistry(); }

// Values to put in place of any member: every type, and the edges the schemas care about.
std::vector<Json> replacements() {
  return {nullptr,
          true,
          false,
          0,
          -1,
          1,
          17,
          30001,
          1.0,
          0.5,
          -0.0,
          1e300,
          -1e300,
          Json(18446744073709551615ull),
          Json(9223372036854775807ll),
          "",
          "x",
          "1.0",
          "2.0",
          "short",
          "Too short",
          "long enough reasoning",
          std::string(256, 'r'),
          std::string("nul\0inside", 10),
          "\xc3\xa9t\xc3\xa9",
          "orion-guardian",
          "orion-Brain",
          "orion-edge-hexapod-1",
          "orion-approval-cli",
          "0b7e7c1e-3f4a-4c55-9a2e-8f0e6f1d2c3b",
          "0B7E7C1E-3F4A-4C55-9A2E-8F0E6F1D2C3B",
          "0b7e7c1e3f4a4c559a2e8f0e6f1d2c3b",
          "2026-01-14T12:00:00Z",
          "2026-01-14T12:00:00.123456+00:00",
          "2026-01-14T12:00:00",
          "2026-01-14 12:00:00Z",
          "2026-02-30T12:00:00Z",
          "critical",
          "RISKY",
          "UNKNOWN",
          "N3",
          "approve",
          "force",
          "failed",
          "MOVE",
          "STOP",
          "RESUME",
          Json::object(),
          Json::array(),
          Json::array({"a"}),
          Json::array({1}),
          Json{{"k", "v"}},
          Json{{"k", 1}}};
}

struct Verdicts {
  int compared = 0;
  int valid = 0;
};

void expectSameVerdict(const std::string& type, const FastCheck& fast, const Json& document,
                       const std::string& what, Verdicts& verdicts) {
  const bool reference = fastCheckRegistry().check(type, document).empty();
  const bool quick = fast.accepts(document);
  ++verdicts.compared;
  verdicts.valid += reference ? 1 : 0;
  EXPECT_EQ(quick, reference) << type << " " << what << ": valijson says "
                              << (reference ? "valid" : "invalid") << ", FastCheck "
                              << (quick ? "valid" : "invalid") << "\n"
                              << document.dump();
}

// Calls `visit(pointer)` for every value inside `document` (not the root).
void forEachPointer(const Json& document, const Json::json_pointer& at,
                    const std::function<void(const Json::json_pointer&)>& visit) {
  const Json& value = document.at(at);
  if (value.is_object()) {
    for (const auto& [key, member] : value.items()) {
      visit(at / key);
      forEachPointer(document, at / key, visit);
    }
  } else if (value.is_array()) {
    for (size_t i = 0; i < value.size(); ++i) {
      visit(at / i);
      forEachPointer(document, at / i, visit);
    }
  }
}

TEST(FastCheckTest, EveryContractHasAFastPath) {
  for (const std::string& type : fastCheckRegistry().types()) {
    EXPECT_TRUE(FastCheck::compile(*fastCheckRegistry().schema(type)).has_value())
        << type << " uses a keyword FastCheck does not implement: valijson alone validates it";
  }
}

TEST(FastCheckTest, AgreesWithValijsonOnMutationsOfEveryFixture) {
  const std::vector<Json> values = replacements();
  for (const std::string& type : testing::allTypes()) {
    auto fast = FastCheck::compile(*fastCheckRegistry().schema(type));
    ASSERT_TRUE(fast.has_value()) << type;
    const Json original = testing::validDocument(type);
    Verdicts verdicts;
    expectSameVerdict(type, *fast, original, "as written", verdicts);
    EXPECT_EQ(verdicts.valid, 1) << type << ": the fixture itself should be valid";

    std::vector<Json::json_pointer> pointers;
    forEachPointer(original, Json::json_pointer(),
                   [&](const Json::json_pointer& p) { pointers.push_back(p); });
    for (const auto& pointer : pointers) {
      Json removed = original;
      Json& parent = removed.at(pointer.parent_pointer());
      if (parent.is_object()) {
        parent.erase(pointer.back());
      } else {
        parent.erase(static_cast<size_t>(std::stoul(pointer.back())));
      }
      expectSameVerdict(type, *fast, removed, "without " + pointer.to_string(), verdicts);
      for (const Json& value : values) {
        Json replaced = original;
        replaced.at(pointer) = value;
        expectSameVerdict(type, *fast, replaced, pointer.to_string() + " = " + value.dump(),
                          verdicts);
      }
    }
    // Unknown members at the root and in every nested object.
    std::vector<Json::json_pointer> objects = {Json::json_pointer()};
    for (const auto& pointer : pointers) {
      if (original.at(pointer).is_object()) objects.push_back(pointer);
    }
    for (const auto& pointer : objects) {
      for (const char* key : {"unknown_field", "", "aaa", "zzz"}) {
        Json extended = original;
        extended.at(pointer)[key] = "surprise";
        expectSameVerdict(type, *fast, extended, "with " + pointer.to_string() + "/" + key,
                          verdicts);
      }
    }
    // Not an object at all.
    for (const Json& value : values) {
      expectSameVerdict(type, *fast, value, "replaced by " + value.dump(), verdicts);
    }
    // Mutations must reach both verdicts, or this test proves little.
    EXPECT_GT(verdicts.valid, 1) << type;
    EXPECT_LT(verdicts.valid, verdicts.compared) << type;
  }
}

TEST(FastCheckTest, UnsupportedKeywordsMeanNoFastPath) {
  for (const char* schema :
       {R"({"oneOf": [{"type": "string"}, {"type": "integer"}]})", R"({"not": {"type": "null"}})",
        R"({"$ref": "#/$defs/x", "$defs": {"x": {}}})", R"({"enum": [1, 2]})",
        R"({"const": {"a": 1}})", R"({"items": [{"type": "string"}]})", R"({"type": "float"})",
        R"({"format": "email"})", R"({"uniqueItems": true})"}) {
    EXPECT_FALSE(FastCheck::compile(Json::parse(schema)).has_value()) << schema;
  }
}

TEST(FastCheckTest, BooleanSchemasAndEmptySchema) {
  EXPECT_TRUE(FastCheck::compile(Json::parse("true"))->accepts(Json{{"a", 1}}));
  EXPECT_FALSE(FastCheck::compile(Json::parse("false"))->accepts(Json{{"a", 1}}));
  EXPECT_TRUE(FastCheck::compile(Json::object())->accepts(Json::array()));
  auto check = FastCheck::compile(Json::parse(R"({"properties": {"a": false}})"));
  EXPECT_TRUE(check->accepts(Json{{"b", 1}}));
  EXPECT_FALSE(check->accepts(Json{{"a", 1}}));
}

}  // namespace
}  // namespace orion::contracts
