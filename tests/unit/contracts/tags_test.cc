// contracts::Tags: a flat sorted vector that must behave as the std::map<std::string,
// std::string> it replaced, for every operation the code uses.
#include "contracts/tags.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <stdexcept>
#include <string>

namespace orion::contracts {
namespace {

using Reference = std::map<std::string, std::string>;

void expectSame(const Tags& tags, const Reference& reference) {
  ASSERT_EQ(tags.size(), reference.size());
  auto it = reference.begin();
  for (const auto& [key, value] : tags) {
    EXPECT_EQ(key, it->first);
    EXPECT_EQ(value, it->second);
    ++it;
  }
}

TEST(TagsTest, KeepsKeysInOrderWhateverTheInsertionOrder) {
  Tags tags{{"node", "a"}, {"action", "restart"}, {"zone", "z"}, {"gate.x", "1"}};
  expectSame(tags, {{"action", "restart"}, {"gate.x", "1"}, {"node", "a"}, {"zone", "z"}});
}

TEST(TagsTest, EmplaceDoesNotOverwriteButIndexingAndInsertOrAssignDo) {
  Tags tags;
  EXPECT_TRUE(tags.emplace("node", "a").second);
  auto [it, inserted] = tags.emplace("node", "b");
  EXPECT_FALSE(inserted);
  EXPECT_EQ(it->second, "a");
  tags["node"] = "c";
  EXPECT_EQ(tags.at("node"), "c");
  EXPECT_FALSE(tags.insert_or_assign("node", "d").second);
  EXPECT_EQ(tags.at("node"), "d");
  EXPECT_EQ(tags["absent"], "");  // inserted empty, as std::map does
  EXPECT_EQ(tags.size(), 2u);
}

TEST(TagsTest, LookupsByStringViewAndMissingKeys) {
  const Tags tags{{"node", "a"}, {"service", "web"}};
  EXPECT_NE(tags.find(std::string_view("service")), tags.end());
  EXPECT_EQ(tags.find("servic"), tags.end());
  EXPECT_EQ(tags.find("services"), tags.end());
  EXPECT_TRUE(tags.contains("node"));
  EXPECT_EQ(tags.count("nothing"), 0u);
  EXPECT_THROW((void)tags.at("nothing"), std::out_of_range);
}

TEST(TagsTest, EraseByKeyAndByIterator) {
  Tags tags{{"a", "1"}, {"b", "2"}, {"c", "3"}};
  EXPECT_EQ(tags.erase("b"), 1u);
  EXPECT_EQ(tags.erase("b"), 0u);
  auto next = tags.erase(tags.find("a"));
  EXPECT_EQ(next->first, "c");
  expectSame(tags, {{"c", "3"}});
}

TEST(TagsTest, RandomOperationsAgreeWithStdMap) {
  std::mt19937 random(7);
  Tags tags;
  Reference reference;
  for (int i = 0; i < 20000; ++i) {
    std::string key = "k" + std::to_string(random() % 40);
    std::string value = std::to_string(random());
    switch (random() % 5) {
      case 0:
        EXPECT_EQ(tags.emplace(key, value).second, reference.emplace(key, value).second);
        break;
      case 1:
        tags[key] = value;
        reference[key] = value;
        break;
      case 2:
        EXPECT_EQ(tags.erase(key), reference.erase(key));
        break;
      case 3:
        EXPECT_EQ(tags.insert_or_assign(key, value).second,
                  reference.insert_or_assign(key, value).second);
        break;
      default:
        EXPECT_EQ(tags.contains(key), reference.contains(key));
    }
  }
  expectSame(tags, reference);
}

TEST(TagsTest, JsonRoundTripAndTypeErrors) {
  Tags tags{{"node", "a"}, {"action", "restart"}};
  Json json = tags;
  EXPECT_EQ(json, Json::parse(R"({"action":"restart","node":"a"})"));
  EXPECT_EQ(json.get<Tags>(), tags);
  EXPECT_THROW((void)Json::parse(R"({"node": 5})").get<Tags>(), Json::type_error);
  EXPECT_THROW((void)Json::parse(R"(["node"])").get<Tags>(), Json::type_error);
}

}  // namespace
}  // namespace orion::contracts
