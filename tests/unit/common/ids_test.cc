#include "common/ids.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <optional>
#include <set>
#include <string>

namespace orion {
namespace {

TEST(IdsTest, NewUuidIsCanonicalVersion7) {
  for (int i = 0; i < 1000; ++i) {
    std::string id = newUuid();
    ASSERT_TRUE(isUuid(id)) << id;
    EXPECT_EQ(id[14], '7') << id;
    EXPECT_TRUE(id[19] == '8' || id[19] == '9' || id[19] == 'a' || id[19] == 'b') << id;
  }
}

TEST(IdsTest, AnIdCarriesTheMillisecondItWasMadeIn) {
  // 2026-12-07T21:30:00.123456789Z
  const int64_t nanos = 1'796'679'000'123'456'789;
  std::string id = newUuidAt(wallTimeFromNanos(nanos));
  EXPECT_EQ(uuidV7Millis(id), std::optional<uint64_t>(1'796'679'000'123)) << id;
  EXPECT_EQ(id.substr(0, 15), "01a25269-e03b-7") << id;  // 0x01a25269e03b ms, version 7
}

TEST(IdsTest, IdsMadeLaterSortAfter) {
  // 1/4096 ms apart (244 ns) is the finest step the time in an id tells apart.
  const int64_t start = 1'796'679'000'000'000'000;
  std::string previous = newUuidAt(wallTimeFromNanos(start));
  for (int64_t step = 1; step < 5000; ++step) {
    std::string next = newUuidAt(wallTimeFromNanos(start + step * 245));
    ASSERT_LT(previous, next) << "step " << step;
    previous = next;
  }
}

TEST(IdsTest, OnlyAVersion7UuidCarriesATime) {
  EXPECT_EQ(uuidV7Millis("123e4567-e89b-42d3-a456-426614174000"), std::nullopt);  // version 4
  EXPECT_EQ(uuidV7Millis("not-an-id"), std::nullopt);
  EXPECT_EQ(uuidV7Millis("0193a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b"),
            std::optional<uint64_t>(0x0193a1b2c3d4));
  EXPECT_EQ(uuidV7Millis("0193A1B2-C3D4-7E5F-8A6B-7C8D9E0F1A2B"),
            std::optional<uint64_t>(0x0193a1b2c3d4));
}

TEST(IdsTest, NewUuidsAreDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) seen.insert(newUuid());
  EXPECT_EQ(seen.size(), 10000u);
}

TEST(IdsTest, AUuidStandsForSixteenBytes) {
  std::array<uint8_t, 16> expected = {0x01, 0x93, 0xa1, 0xb2, 0xc3, 0xd4, 0x7e, 0x5f,
                                      0x8a, 0x6b, 0x7c, 0x8d, 0x9e, 0x0f, 0x1a, 0x2b};
  EXPECT_EQ(uuidBytes("0193a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b"), expected);
  EXPECT_EQ(uuidBytes("0193A1B2-C3D4-7E5F-8A6B-7C8D9E0F1A2B"), expected);
  EXPECT_EQ(uuidBytes("0193a1b2c3d47e5f8a6b7c8d9e0f1a2b"), std::nullopt);
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
