// The fast path of parseJson must never disagree with nlohmann: wherever it returns a document,
// nlohmann parses the same text to the same tree, number types included; everything else it
// leaves to nlohmann (std::nullopt).
#include "common/json_fast_parse.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "random_documents.h"

namespace orion {
namespace {

// Equal values of equal types all the way down (nlohmann's == calls 1u and 1 equal).
bool sameTree(const Json& a, const Json& b) {
  if (a.type() != b.type()) return false;
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (auto it = a.begin(), other = b.begin(); it != a.end(); ++it, ++other) {
      if (it.key() != other.key() || !sameTree(*it, *other)) return false;
    }
    return true;
  }
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (!sameTree(a[i], b[i])) return false;
    }
    return true;
  }
  if (a.is_number_float()) {
    double x = a.get<double>(), y = b.get<double>();
    return std::memcmp(&x, &y, sizeof x) == 0;  // -0.0 is not 0.0 here
  }
  return a == b;
}

// Checks one text; true when the fast path took it.
bool agrees(const std::string& text) {
  std::optional<Json> fast = parseJsonFast(text);
  if (!fast) return false;
  Json reference = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(reference.is_discarded()) << "the fast path took what nlohmann refuses: " << text;
  EXPECT_TRUE(sameTree(*fast, reference))
      << text << "\nfast: " << fast->dump() << "\nnlohmann: " << reference.dump();
  return true;
}

TEST(JsonFastParse, TakesOrionsDocumentsAsNlohmannReadsThem) {
  const std::vector<std::string> taken = {
      R"({"version":"1.0","event_id":"7b1e1cbf-2822-4e7f-a426-7c1e136f4aa6","data":{"value":93.5,)"
      R"("threshold":90,"n":-3,"ok":true,"none":null,"list":[1,"a",[],{}]}})",
      " \t\r\n{ \"a\" : [ 1 , 2 ] , \"b\" : { } } \n",
      R"({"b":1,"a":2})",                               // unsorted keys
      "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"",  // UTF-8
      R"({"a":1,"a":2,"a":3})",                         // duplicate keys: the last wins
      R"("esc: \" \\ \/ \b \f \n \r \t")",
      "0",
      "-0",
      "-0.0",
      "1",
      "-1",
      "18446744073709551615",
      "-9223372036854775808",
      "1.5",
      "1e5",
      "1E+5",
      "-1e-5",
      "0.1e1",
      "123456.789e-3",
      "true",
      "false",
      "null",
      "[]",
      "{}"};
  for (const std::string& text : taken) {
    EXPECT_TRUE(agrees(text)) << "left to nlohmann: " << text;
  }
  EXPECT_TRUE(parseJsonFast("18446744073709551615")->is_number_unsigned());
  EXPECT_TRUE(parseJsonFast("-1")->is_number_integer());
  EXPECT_TRUE(parseJsonFast("1.0")->is_number_float());
  EXPECT_EQ((*parseJsonFast(R"({"a":1,"a":2})"))["a"], 2);
}

TEST(JsonFastParse, LeavesEverythingElseToNlohmann) {
  const std::vector<std::string> left = {
      "",
      " ",
      "{",
      "}",
      "[1,]",
      "{\"a\":1,}",
      "{\"a\" 1}",
      "{a:1}",
      "'a'",
      "01",
      "1.",
      ".5",
      "+1",
      "-",
      "1e",
      "1e+",
      "--1",
      "0x10",
      "NaN",
      "Infinity",
      "tru",
      "nul",
      "1 2",
      "{} {}",
      "[1] x",
      "18446744073709551616",  // beyond uint64: nlohmann makes it a double
      "-9223372036854775809",  // beyond int64: likewise
      "1e400",                 // beyond double: nlohmann's error
      "1e-400",                // underflow: nlohmann's 0
      "\"\\u00e9\"",           // \u escapes
      "\"caf\xc3\"",           // malformed UTF-8
      "\"\xed\xa0\x80\"",      // a surrogate in UTF-8
      "\xef\xbb\xbf{}",        // a byte-order mark
      "\"tab\tinside\"",       // a raw control character
      "\"\\x\"",               // an invalid escape
      "\"unterminated",
      std::string(200, '[') + std::string(200, ']'),  // deeper than the fast path goes
  };
  for (const std::string& text : left) {
    EXPECT_FALSE(parseJsonFast(text).has_value()) << text;
  }
  // parseJson gives the same answers either way: nlohmann's document or nlohmann's error.
  EXPECT_TRUE(parseJson(std::string(200, '[') + std::string(200, ']')).isOk());
  EXPECT_TRUE(parseJson("18446744073709551616")->is_number_float());
  EXPECT_FALSE(parseJson("[1,]").isOk());
  EXPECT_FALSE(parseJson("1e400").isOk());
}

TEST(JsonFastParse, RandomDocumentsCompactAndIndentedAgreeWithNlohmann) {
  RandomDocuments documents(20261207);
  int taken = 0;
  constexpr int kDocuments = 4000;
  for (int i = 0; i < kDocuments; ++i) {
    Json document = documents.value(0);
    std::string compact = dumpJson(document);  // invalid UTF-8 replaced: valid JSON text
    if (agrees(compact)) ++taken;
    agrees(document.dump(2, ' ', false, Json::error_handler_t::replace));
  }
  // Only \u escapes (nlohmann writes control characters so) and numbers beyond 64 bits are left.
  EXPECT_GT(taken, kDocuments / 2);
}

TEST(JsonFastParse, MutatedTextsAreTakenOnlyWhenNlohmannReadsThemAlike) {
  RandomDocuments documents(7);
  std::mt19937_64 random(99);
  const std::string kBytes = "{}[],:\"\\ 0123456789.-+eEtrufalsn\x01\x7f\x80\xbf\xc3\xe2\xff";
  int taken = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string text = dumpJson(documents.value(0));
    for (int edits = 1 + static_cast<int>(random() % 3); edits > 0 && !text.empty(); --edits) {
      size_t at = random() % text.size();
      switch (random() % 3) {
        case 0:
          text.erase(at, 1);
          break;
        case 1:
          text.insert(at, 1, kBytes[random() % kBytes.size()]);
          break;
        default:
          text[at] = kBytes[random() % kBytes.size()];
      }
    }
    if (agrees(text)) ++taken;
  }
  EXPECT_GT(taken, 100);  // some mutations stay valid JSON (a digit changed, a space added)
}

}  // namespace
}  // namespace orion
