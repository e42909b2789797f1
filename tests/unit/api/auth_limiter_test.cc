// The pure parts of the admin gate: the token file's rules and the failed-attempt limiter with
// its audit notes. Time is a SimulatedClock's monotonic reading.
#include "api/auth_limiter.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "api/admin_token.h"
#include "testing/temp_dir.h"

namespace orion::api {
namespace {

using std::chrono::seconds;
using Kind = AuthAuditNote::Kind;
namespace fs = std::filesystem;

constexpr const char* kToken = "c2VjcmV0LXRva2VuLWZvci10aGUtYWRtaW4tYXBpLTEyMzQ=";

TEST(AdminTokenTest, MatchesOnlyItself) {
  AdminToken token = AdminToken::fromBytes(kToken);
  EXPECT_TRUE(token.matches(kToken));
  EXPECT_FALSE(token.matches(""));
  EXPECT_FALSE(token.matches(std::string(kToken) + "x"));
  EXPECT_FALSE(token.matches(std::string(kToken).substr(1)));
}

TEST(AdminTokenTest, NoFileConfiguredIsNoToken) {
  auto token = AdminToken::load("", "/nonexistent");
  ASSERT_TRUE(token.isOk());
  EXPECT_FALSE(token->has_value());
}

TEST(AdminTokenTest, RelativeFileIsUnderTheStateDirAndOneNewlineIsIgnored) {
  testing::TempDir dir;
  fs::path file = dir.write("api.token", std::string(kToken) + "\n");
  fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write);
  auto token = AdminToken::load("api.token", dir.path().string());
  ASSERT_TRUE(token.isOk()) << token.status().toString();
  ASSERT_TRUE(token->has_value());
  EXPECT_TRUE((*token)->matches(kToken));
}

TEST(AdminTokenTest, BadFilesAreRefusedNamingTheKeyAndTheFile) {
  testing::TempDir dir;
  struct Case {
    std::string contents;
    fs::perms perms;
    StatusCode code;
    std::string says;
  };
  for (const Case& c : {
           Case{kToken, fs::perms::owner_read | fs::perms::group_read,
                StatusCode::kPermissionDenied, "chmod 600"},
           Case{kToken, fs::perms::owner_read | fs::perms::others_write,
                StatusCode::kPermissionDenied, "chmod 600"},
           Case{"too-short-token", fs::perms::owner_read, StatusCode::kInvalidArgument,
                "at least 32"},
           Case{"a token with spaces in it, long enough to pass", fs::perms::owner_read,
                StatusCode::kInvalidArgument, "one word"},
       }) {
    fs::path file = dir.write("api.token", c.contents);
    fs::permissions(file, c.perms);
    auto token = AdminToken::load(file.string(), "");
    ASSERT_FALSE(token.isOk()) << c.contents;
    EXPECT_EQ(token.status().code(), c.code) << token.status().toString();
    EXPECT_NE(token.status().message().find(c.says), std::string::npos) << token.status().message();
    EXPECT_NE(token.status().message().find("api.admin_token_file"), std::string::npos);
    EXPECT_NE(token.status().message().find(file.string()), std::string::npos);
    fs::remove(file);
  }
  auto missing = AdminToken::load("absent.token", dir.path().string());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
}

TEST(AuthLimiterTest, FifthFailureLimitsTheAddressUntilTheWindowEnds) {
  SimulatedClock clock;
  AuthLimiter limiter({5, seconds(60), 16});
  MonoTime start = clock.monotonic();
  for (int i = 0; i < 5; ++i) {
    EXPECT_FALSE(limiter.check("10.0.0.1", clock.monotonic())) << i;
    limiter.recordFailure("10.0.0.1", clock.monotonic());
    clock.advance(seconds(1));
  }
  auto wait = limiter.check("10.0.0.1", clock.monotonic());
  ASSERT_TRUE(wait);
  EXPECT_EQ(*wait, start + seconds(60) - clock.monotonic());
  EXPECT_FALSE(limiter.check("10.0.0.2", clock.monotonic()));  // others are not affected
  clock.advance(*wait);
  EXPECT_FALSE(limiter.check("10.0.0.1", clock.monotonic()));
}

TEST(AuthLimiterTest, AuditsFirstFailureLimitAndASummaryOfTheRest) {
  SimulatedClock clock;
  AuthLimiter limiter({3, seconds(60), 16});
  for (int i = 0; i < 4; ++i) limiter.recordFailure("a", clock.monotonic());
  EXPECT_TRUE(limiter.check("a", clock.monotonic()));
  EXPECT_TRUE(limiter.check("a", clock.monotonic()));
  auto notes = limiter.takeNotes();
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_EQ(notes[0].kind, Kind::kFirstFailure);
  EXPECT_EQ(notes[1].kind, Kind::kLimitReached);
  EXPECT_EQ(notes[1].failures, 3);
  EXPECT_TRUE(limiter.takeNotes().empty());

  clock.advance(seconds(60));
  EXPECT_FALSE(limiter.check("a", clock.monotonic()));
  notes = limiter.takeNotes();
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].kind, Kind::kSummary);
  EXPECT_EQ(notes[0].failures, 4);
  EXPECT_EQ(notes[0].refused, 2);
  EXPECT_EQ(notes[0].unaudited, 3);  // the fourth failure and the two refusals
}

TEST(AuthLimiterTest, ManyFailuresMakeAtMostThreeNotesPerWindow) {
  SimulatedClock clock;
  AuthLimiter limiter({5, seconds(60), 16});
  for (int i = 0; i < 1000; ++i) {
    if (!limiter.check("a", clock.monotonic())) limiter.recordFailure("a", clock.monotonic());
  }
  limiter.flush();
  auto notes = limiter.takeNotes();
  ASSERT_EQ(notes.size(), 3u);
  EXPECT_EQ(notes[2].failures + notes[2].refused, 1000);
  EXPECT_EQ(notes[2].unaudited, 995);  // the refusals; the failures were audited
}

TEST(AuthLimiterTest, StaysWithinItsClientBound) {
  SimulatedClock clock;
  AuthLimiter limiter({2, seconds(60), 4});
  for (int i = 0; i < 10; ++i) {
    limiter.recordFailure("10.0.0." + std::to_string(i), clock.monotonic());
    clock.advance(seconds(1));
  }
  // The oldest windows made room; the newest four are remembered.
  limiter.recordFailure("10.0.0.9", clock.monotonic());
  EXPECT_TRUE(limiter.check("10.0.0.9", clock.monotonic()));
  limiter.recordFailure("10.0.0.0", clock.monotonic());
  EXPECT_FALSE(limiter.check("10.0.0.0", clock.monotonic()));
}

}  // namespace
}  // namespace orion::api
