// The JSON writer must give exactly nlohmann's dump() bytes (with invalid UTF-8 replaced): the
// hashes of every audit record, the duplicate keys rebuilt from the log and `verify --deep` all
// compare against them.
#include "common/json_writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "random_documents.h"

namespace orion {
namespace {

std::string canonical(const Json& value) {
  std::string out = "prefix:";  // appends, never replaces
  appendJson(out, value);
  return out.substr(7);
}

// The reference: nlohmann's own serializer, as dumpJson() called it before it used appendJson().
std::string nlohmannDump(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// Whether nlohmann itself takes `text` for valid UTF-8: its strict dump throws otherwise.
bool nlohmannAccepts(const std::string& text) {
  try {
    (void)Json(text).dump(-1, ' ', false, Json::error_handler_t::strict);
    return true;
  } catch (const Json::exception&) {
    return false;
  }
}

TEST(JsonWriter, WritesWhatDumpJsonWritesForEveryKindOfValue) {
  std::vector<Json> values = {
      Json::object(),
      Json::array(),
      Json(nullptr),
      Json(true),
      Json(false),
      Json(0),
      Json(-1),
      Json(std::numeric_limits<int64_t>::min()),
      Json(std::numeric_limits<int64_t>::max()),
      Json(std::numeric_limits<uint64_t>::max()),
      Json(0.1),
      Json(1.0),
      Json(-0.0),
      Json(93.1),
      Json(1e300),
      Json(5e-324),
      Json(123456789.125),
      Json(std::nan("")),
      Json(std::numeric_limits<double>::infinity()),
      Json("plain"),
      Json(""),
      Json("quote \" backslash \\ slash / del \x7f"),
      Json("é ü ß — 日本 😀"),
      Json::parse(R"({"b":1,"a":[1,2,{"d":null,"c":"x"}],"B":true,"é":"accent","":0})"),
      Json::parse(R"([[],{},[[]],{"a":{}}])"),
      Json{{"key\nwith\tescapes\"", "v"}, {"z", {1, 2.5, "three"}}},
  };
  for (const Json& value : values) {
    EXPECT_EQ(canonical(value), nlohmannDump(value)) << nlohmannDump(value);
  }
}

TEST(JsonWriter, EscapesEveryControlCharacterAsNlohmannDoes) {
  for (int c = 0; c < 0x20; ++c) {
    std::string text = "a";
    text += static_cast<char>(c);
    text += "b";
    EXPECT_EQ(canonical(Json(text)), nlohmannDump(Json(text))) << "byte " << c;
    std::string key_out;
    appendJsonString(key_out, text);
    EXPECT_EQ(key_out, nlohmannDump(Json(text))) << "byte " << c;
  }
}

TEST(JsonWriter, ReplacesInvalidUtf8AsNlohmannDoes) {
  std::vector<std::string> texts = {
      "\x80",
      "lone \xbf continuation",
      "\xc0\x80",  // overlong NUL
      "\xc1\xbf",
      "\xe0\x80\x80",      // overlong
      "\xed\xa0\x80",      // a surrogate
      "\xf4\x90\x80\x80",  // above U+10FFFF
      "\xf5\x80\x80\x80",
      "\xff",
      "cut \xe2\x82",  // unfinished at the end
      "cut \xe2\x82 in the middle",
      "\xf0\x9f\x98",
      "ok \xc3\xa9 then \xc3",
  };
  for (const std::string& text : texts) {
    EXPECT_EQ(canonical(Json(text)), nlohmannDump(Json(text))) << text;
    Json keyed = {{text, text}};
    EXPECT_EQ(canonical(keyed), nlohmannDump(keyed)) << text;
  }
}

TEST(JsonWriter, ValidatesUtf8ExactlyAsNlohmannForEveryOneAndTwoByteString) {
  for (int a = 0; a < 256; ++a) {
    std::string one(1, static_cast<char>(a));
    ASSERT_EQ(isValidUtf8(one), nlohmannAccepts(one)) << a;
    for (int b = 0; b < 256; ++b) {
      std::string two = one + static_cast<char>(b);
      ASSERT_EQ(isValidUtf8(two), nlohmannAccepts(two)) << a << " " << b;
    }
  }
}

TEST(JsonWriter, ValidatesLongerSequencesAsNlohmann) {
  // Every lead byte from 0xE0 up, with second and third bytes around the edges that matter.
  std::vector<int> edges = {0x00, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xff};
  for (int lead = 0xe0; lead < 0x100; ++lead) {
    for (int second : edges) {
      for (int third : edges) {
        for (int fourth : edges) {
          std::string text = {static_cast<char>(lead), static_cast<char>(second),
                              static_cast<char>(third), static_cast<char>(fourth)};
          ASSERT_EQ(isValidUtf8(text), nlohmannAccepts(text))
              << lead << " " << second << " " << third << " " << fourth;
          std::string three = text.substr(0, 3);
          ASSERT_EQ(isValidUtf8(three), nlohmannAccepts(three)) << lead << " " << second;
        }
      }
    }
  }
}

TEST(JsonWriter, RandomDocumentsSerialiseAsNlohmannDoes) {
  RandomDocuments documents(20261205);
  for (int i = 0; i < 3000; ++i) {
    Json document = documents.value(0);
    std::string expected = nlohmannDump(document);
    ASSERT_EQ(canonical(document), expected) << "document " << i;
  }
}

TEST(JsonWriter, ObjectWriterWritesWhatDumpJsonWritesForTheSameMembersInKeyOrder) {
  std::string out = "[";
  {
    JsonObjectWriter object(out);
    object.boolean("a", true).integer("b", -42).null("c");
    {
      JsonObjectWriter inner(object.member("d"));
      inner.string("x", "caf\xc3\xa9 \"q\"\n").unsignedInteger("y", 18446744073709551615u);
    }
    object.json("e", Json::array({1, "two", nullptr})).string("f", "");
  }
  out += ",";
  JsonObjectWriter(out).close();  // an empty object, closed once however often close() is called
  out += "]";
  Json expected = Json::array({{{"a", true},
                                {"b", -42},
                                {"c", nullptr},
                                {"d", {{"x", "caf\xc3\xa9 \"q\"\n"}, {"y", 18446744073709551615u}}},
                                {"e", Json::array({1, "two", nullptr})},
                                {"f", ""}},
                               Json::object()});
  EXPECT_EQ(out, dumpJson(expected));
}

TEST(JsonWriter, ArrayWriterWritesWhatDumpJsonWritesForTheSameElements) {
  std::string out;
  {
    JsonObjectWriter object(out);
    {
      JsonArrayWriter list(object.member("a"));
      list.integer(-7).unsignedInteger(18446744073709551615u).string("t\u00e9\"\x01");
      JsonArrayWriter(list.element()).integer(1).string("e-1");
      JsonObjectWriter(list.element()).boolean("ok", false);
      list.json(Json::array({nullptr, 2.5}));
      JsonArrayWriter(list.element()).close();  // an empty array, closed once
    }
    JsonArrayWriter(object.member("b"));  // nothing written: []
  }
  Json expected = {{"a", Json::array({-7,
                                      18446744073709551615u,
                                      "t\u00e9\"\x01",
                                      Json::array({1, "e-1"}),
                                      {{"ok", false}},
                                      Json::array({nullptr, 2.5}),
                                      Json::array()})},
                   {"b", Json::array()}};
  EXPECT_EQ(out, dumpJson(expected));
}

TEST(JsonWriter, ParseWrittenReadsBackWhatAWriterAppends) {
  auto written = parseWritten([](std::string& out) {
    JsonObjectWriter(out).string("k", "v").integer("n", 7);
    return true;
  });
  ASSERT_TRUE(written.has_value());
  EXPECT_EQ(*written, Json({{"k", "v"}, {"n", 7}}));
  EXPECT_FALSE(parseWritten([](std::string&) { return false; }).has_value());
}

TEST(JsonWriter, IsWhatDumpJsonReturns) {
  RandomDocuments documents(11);
  for (int i = 0; i < 200; ++i) {
    Json document = documents.value(0);
    ASSERT_EQ(dumpJson(document), nlohmannDump(document)) << "document " << i;
  }
}

}  // namespace
}  // namespace orion
