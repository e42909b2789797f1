// SimplePattern must answer exactly like std::regex_search for the shapes it accepts, and refuse
// every other shape (so std::regex handles it).
#include "contracts/simple_pattern.h"

#include <gtest/gtest.h>

#include <regex>

namespace orion::contracts {
namespace {

TEST(SimplePattern, AgreesWithStdRegexOnTheSchemaPatterns) {
  const std::vector<std::string> patterns = {"^orion-[a-z0-9-]+$",
                                             "^orion-[a-z-]+$",
                                             "^[a-z0-9-]+$",
                                             "^orion-edge-[a-z0-9-]+$",
                                             "^orion-(brain|approval-telegram)$",
                                             "^orion-approval-(telegram|cli)$",
                                             "^a(b|bc)c$",
                                             "^x[a-c]*$",
                                             "^v\\.1$",
                                             "^$"};
  const std::vector<std::string> inputs = {"",
                                           "orion-",
                                           "orion-brain",
                                           "orion-brain-2",
                                           "orion-Brain",
                                           "orion-edge-hexapod-1",
                                           "orion-approval-telegram",
                                           "orion-approval-cli",
                                           "orion-approval-clix",
                                           "xorion-brain",
                                           "orion-brain\n",
                                           "hexapod-1",
                                           "abc",
                                           "abcc",
                                           "x",
                                           "xabc",
                                           "xd",
                                           "v.1",
                                           "vx1",
                                           "orion-a b",
                                           "orion-é"};
  for (const std::string& pattern : patterns) {
    auto simple = SimplePattern::compile(pattern);
    ASSERT_TRUE(simple.has_value()) << pattern;
    const std::regex regex(pattern, std::regex::ECMAScript);
    for (const std::string& input : inputs) {
      EXPECT_EQ(simple->matches(input), std::regex_search(input, regex))
          << "pattern " << pattern << " input '" << input << "'";
    }
  }
}

TEST(SimplePattern, LongInputsAreLinear) {
  auto simple = SimplePattern::compile("^orion-[a-z0-9-]+$");
  ASSERT_TRUE(simple.has_value());
  EXPECT_TRUE(simple->matches("orion-" + std::string(10'000'000, 'a')));
  EXPECT_FALSE(simple->matches("orion-" + std::string(10'000'000, 'a') + "_"));
}

TEST(SimplePattern, RefusesOtherShapes) {
  for (const char* pattern :
       {"orion-[a-z]+$", "^orion-[a-z]+", "^[a-z]+-x$", "^a+$", "^a?$", "^(a|b)+$", "^[^a]+$",
        "^\\d+$", "^a.b$", "^a{2}$", "^[z-a]+$", "^(a|b$", "^[ab$", "^a\\$"}) {
    EXPECT_FALSE(SimplePattern::compile(pattern).has_value()) << pattern;
  }
}

}  // namespace
}  // namespace orion::contracts
