// What a held-back action needs from the admin's force (signing/overrides.h): the tag's words,
// the flags a force must carry, a cooldown that ends by itself, and an unknown word that no
// answer satisfies.
#include "signing/overrides.h"

#include <gtest/gtest.h>

#include "common/time.h"

namespace orion::signing {
namespace {

using contracts::ApprovalVerdict;
using namespace std::chrono_literals;

WallTime at(const char* text) { return parseRfc3339(text).value(); }

TEST(RequiredOverrides, TheTagNamesEachOverrideAndReadsBack) {
  EXPECT_EQ(requiredOverridesTag({}), "");
  EXPECT_EQ(requiredOverridesTag({true, std::nullopt, false, ""}), "cooldown");
  EXPECT_EQ(requiredOverridesTag({true, std::nullopt, true, ""}), "cooldown,circuit_breaker");
  RequiredOverrides both =
      parseRequiredOverrides("cooldown,circuit_breaker", "2026-01-14T12:05:00Z");
  EXPECT_TRUE(both.cooldown);
  EXPECT_TRUE(both.circuit_breaker);
  ASSERT_TRUE(both.cooldown_until.has_value());
  EXPECT_EQ(*both.cooldown_until, at("2026-01-14T12:05:00Z"));
  EXPECT_EQ(requiredFlags(both), "--override-cooldown --override-breaker");
  EXPECT_FALSE(parseRequiredOverrides("").any());
  EXPECT_FALSE(parseRequiredOverrides("cooldown", "not a time").cooldown_until.has_value());
}

TEST(RequiredOverrides, OnlyAForceWithEveryRequiredFlagRunsIt) {
  WallTime now = at("2026-01-14T12:00:00Z");
  RequiredOverrides both = parseRequiredOverrides("cooldown,circuit_breaker");
  EXPECT_FALSE(checkOverrides(both, ApprovalVerdict::kApprove, true, true, now).isOk());
  EXPECT_FALSE(checkOverrides(both, ApprovalVerdict::kForce, true, false, now).isOk());
  EXPECT_FALSE(checkOverrides(both, ApprovalVerdict::kForce, false, true, now).isOk());
  EXPECT_TRUE(checkOverrides(both, ApprovalVerdict::kForce, true, true, now).isOk());
  EXPECT_TRUE(checkOverrides({}, ApprovalVerdict::kApprove, false, false, now).isOk());
}

TEST(RequiredOverrides, ACooldownThatHasEndedNeedsNoOverride) {
  RequiredOverrides cooling = parseRequiredOverrides("cooldown", "2026-01-14T12:05:00Z");
  Status early =
      checkOverrides(cooling, ApprovalVerdict::kApprove, false, false, at("2026-01-14T12:04:59Z"));
  EXPECT_EQ(early.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(early.message().find("until 2026-01-14T12:05:00"), std::string::npos)
      << early.message();
  EXPECT_TRUE(
      checkOverrides(cooling, ApprovalVerdict::kApprove, false, false, at("2026-01-14T12:05:00Z"))
          .isOk());
  // The breaker part of a request still needs its flag after the cooldown ended.
  RequiredOverrides both =
      parseRequiredOverrides("cooldown,circuit_breaker", "2026-01-14T12:05:00Z");
  Status breaker =
      checkOverrides(both, ApprovalVerdict::kForce, false, false, at("2026-01-14T13:00:00Z"));
  EXPECT_FALSE(breaker.isOk());
  EXPECT_EQ(breaker.message().find("cooldown"), std::string::npos) << breaker.message();
  EXPECT_NE(breaker.message().find("--override-breaker"), std::string::npos);
}

TEST(RequiredOverrides, AnOverrideThisBuildDoesNotKnowIsNeverSatisfied) {
  RequiredOverrides future = parseRequiredOverrides("circuit_breaker,maintenance_window");
  EXPECT_EQ(future.unknown, "maintenance_window");
  Status forced =
      checkOverrides(future, ApprovalVerdict::kForce, true, true, at("2026-01-14T12:00:00Z"));
  EXPECT_EQ(forced.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(forced.message().find("maintenance_window"), std::string::npos);
}

}  // namespace
}  // namespace orion::signing
