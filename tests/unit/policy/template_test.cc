// Parameter templates and target patterns.
#include "policy/template.h"

#include <gtest/gtest.h>

#include <map>

namespace orion::policy {
namespace {

Lookup lookupIn(std::map<std::string, std::string> values) {
  return [values = std::move(values)](std::string_view name) -> std::optional<std::string> {
    auto it = values.find(std::string(name));
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

TEST(Template, PlaceholdersAreListedInOrder) {
  auto names = placeholdersOf("{service_name} on {node} ({service_name})");
  ASSERT_TRUE(names.isOk());
  EXPECT_EQ(*names, (std::vector<std::string>{"service_name", "node", "service_name"}));
  auto none = placeholdersOf("no placeholders, {{literal}}");
  ASSERT_TRUE(none.isOk());
  EXPECT_TRUE(none->empty());
}

TEST(Template, MalformedTemplatesSayWhatWasExpected) {
  EXPECT_NE(placeholdersOf("{node").status().message().find("unterminated '{' at position 1"),
            std::string::npos);
  EXPECT_NE(placeholdersOf("a {} b").status().message().find("empty placeholder"),
            std::string::npos);
  EXPECT_NE(placeholdersOf("{Node}").status().message().find("expected a name"), std::string::npos);
  EXPECT_NE(placeholdersOf("a } b").status().message().find("unmatched '}'"), std::string::npos);
}

TEST(Template, RendersValuesAndLiteralBraces) {
  auto lookup = lookupIn({{"service_name", "jellyfin"}, {"node", "nas"}});
  auto text = renderTemplate("restart {service_name} on {node} {{now}}", lookup);
  ASSERT_TRUE(text.isOk()) << text.status().message();
  EXPECT_EQ(*text, "restart jellyfin on nas {now}");
  auto missing = renderTemplate("{container_id}", lookup);
  ASSERT_FALSE(missing.isOk());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("'container_id'"), std::string::npos);
}

TEST(Template, RendersNestedParametersAndKeepsOtherTypes) {
  auto lookup = lookupIn({{"service_name", "jellyfin"}, {"node", "nas"}});
  Json parameters = {{"service_name", "{service_name}"},
                     {"replicas", 2},
                     {"force", false},
                     {"where", {{"node", "{node}"}, {"list", Json::array({"{node}", 1})}}}};
  auto rendered = renderParameters(parameters, lookup);
  ASSERT_TRUE(rendered.isOk()) << rendered.status().message();
  EXPECT_EQ((*rendered)["service_name"], "jellyfin");
  EXPECT_EQ((*rendered)["replicas"], 2);
  EXPECT_EQ((*rendered)["force"], false);
  EXPECT_EQ((*rendered)["where"]["node"], "nas");
  EXPECT_EQ((*rendered)["where"]["list"], Json::array({"nas", 1}));

  auto failed = renderParameters(Json{{"id", "{container_id}"}}, lookup);
  ASSERT_FALSE(failed.isOk());
  EXPECT_NE(failed.status().message().find("parameter 'id'"), std::string::npos);
}

TEST(Glob, MatchesWholeText) {
  EXPECT_TRUE(globMatch("*", ""));
  EXPECT_TRUE(globMatch("*", "anything"));
  EXPECT_TRUE(globMatch("jelly*", "jellyfin"));
  EXPECT_TRUE(globMatch("*fin", "jellyfin"));
  EXPECT_TRUE(globMatch("j?llyfin", "jellyfin"));
  EXPECT_TRUE(globMatch("*ll*f*", "jellyfin"));
  EXPECT_TRUE(globMatch("disk_used_percent", "disk_used_percent"));
  EXPECT_FALSE(globMatch("jelly", "jellyfin"));
  EXPECT_FALSE(globMatch("?", ""));
  EXPECT_FALSE(globMatch("*x", "jellyfin"));
  EXPECT_FALSE(globMatch("", "a"));
  // Many stars against a long non-matching text stays fast (no exponential backtracking).
  EXPECT_FALSE(globMatch("*a*a*a*a*a*a*a*a*b", std::string(5000, 'a')));
}

}  // namespace
}  // namespace orion::policy
