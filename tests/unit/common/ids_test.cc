#include "common/ids.h"

#include <gtest/gtest.h>

#include <set>

namespace orion {
namespace {

TEST(IdsTest, NewUuidIsCanonicalVersion4) {
  for (int i = 0; i < 1000; ++i) {
    std::string id = newUuid();
    ASSERT_TRUE(isUuid(id)) << id;
    EXPECT_EQ(id[14], '4') << id;
    EXPECT_TRUE(id[19] == '8' || id[19] == '9' || id[19] == 'a' || id[19] == 'b') << id;
  }
}

TEST(IdsTest, NewUuidsAreDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) seen.insert(newUuid());
  EXPECT_EQ(seen.size(), 10000u);
}

TEST(IdsTest, IsUuidRejectsMalformedText) {
  EXPECT_TRUE(isUuid("123e4567-e89b-12d3-a456-426614174000"));
  EXPECT_TRUE(isUuid("123E4567-E89B-12D3-A456-426614174000"));
  EXPECT_FALSE(isUuid(""));
  EXPECT_FALSE(isUuid("different-incident-id"));
  EXPECT_FALSE(isUuid("123e4567e89b12d3a456426614174000"));
  EXPECT_FALSE(isUuid("123e4567-e89b-12d3-a456-42661417400g"));
  EXPECT_FALSE(isUuid("123e4567-e89b-12d3-a456-4266141740000"));
  EXPECT_FALSE(isUuid("{123e4567-e89b-12d3-a456-426614174000}"));
}

}  // namespace
}  // namespace orion
