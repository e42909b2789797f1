#include "common/time.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <random>

namespace orion {
namespace {

using namespace std::chrono_literals;

TEST(Rfc3339Test, FormatsUtcWithMicroseconds) {
  WallTime t = *parseRfc3339("2026-01-14T12:00:00.123456789Z");
  EXPECT_EQ(formatRfc3339(t), "2026-01-14T12:00:00.123456Z");
}

TEST(Rfc3339Test, AcceptsZAndOffsetsAndNormalisesToUtc) {
  EXPECT_EQ(formatRfc3339(*parseRfc3339("2026-01-14T12:00:00.123456+00:00")),
            "2026-01-14T12:00:00.123456Z");
  EXPECT_EQ(formatRfc3339(*parseRfc3339("2026-01-14T12:00:00Z")), "2026-01-14T12:00:00.000000Z");
  EXPECT_EQ(formatRfc3339(*parseRfc3339("2026-01-14T14:30:00+02:30")),
            "2026-01-14T12:00:00.000000Z");
  EXPECT_EQ(formatRfc3339(*parseRfc3339("2026-01-14T07:00:00-05:00")),
            "2026-01-14T12:00:00.000000Z");
  EXPECT_EQ(formatRfc3339(*parseRfc3339("2026-01-14t12:00:00z")), "2026-01-14T12:00:00.000000Z");
}

TEST(Rfc3339Test, RejectsNaiveTimestamps) {
  auto result = parseRfc3339("2026-01-14T12:00:00.123456");
  ASSERT_FALSE(result.isOk());
  EXPECT_NE(result.status().message().find("naive"), std::string::npos);
  EXPECT_FALSE(isRfc3339("2026-01-14T12:00:00"));
}

TEST(Rfc3339Test, RejectsMalformedText) {
  for (const char* bad :
       {"", "2026-01-14", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-01-14T24:00:00Z",
        "2026-01-14T12:60:00Z", "2026-01-14T12:00:00.Z", "2026-01-14T12:00:00+0200",
        "2026-01-14T12:00:00Z junk", "26-01-14T12:00:00Z", "2026-01-14 12:00:00Z"}) {
    EXPECT_FALSE(isRfc3339(bad)) << bad;
  }
  EXPECT_TRUE(isRfc3339("2024-02-29T00:00:00Z"));
  EXPECT_FALSE(isRfc3339("2023-02-29T00:00:00Z"));
}

// Found by fuzz.contracts_fuzz: year 2426 overflowed the clock's nanoseconds (UB) instead of
// being refused.
TEST(Rfc3339Test, RefusesInstantsTheClockCannotHold) {
  auto far = parseRfc3339("2426-01-01T00:00:00Z");
  ASSERT_FALSE(far.isOk());
  EXPECT_NE(far.status().message().find("years 1678 to 2261"), std::string::npos);
  EXPECT_FALSE(isRfc3339("9999-12-31T23:59:59Z"));
  EXPECT_FALSE(isRfc3339("0001-01-01T00:00:00Z"));
  EXPECT_TRUE(parseRfc3339("2261-12-31T23:59:59.999999Z").isOk());
  EXPECT_TRUE(parseRfc3339("1678-01-01T00:00:00Z").isOk());
}

TEST(Rfc3339Test, RoundTrips) {
  SimulatedClock clock;
  clock.advance(123456789us);
  WallTime t = clock.now();
  EXPECT_EQ(*parseRfc3339(formatRfc3339(t)), t);
}

// formatRfc3339 writes its digits by hand; the reference here is the C library's gmtime and
// printf, over instants spread across what a WallTime holds (nanoseconds in 64 bits: the years
// 1678 to 2262) and around the epoch.
TEST(Rfc3339Test, FormatsAsGmtimeDoesOverTheWholeRange) {
  constexpr int64_t kLimit = 9'000'000'000'000'000;  // microseconds, ~285 years either side
  std::mt19937_64 random(20261206);
  std::vector<int64_t> micros = {0,
                                 1,
                                 -1,
                                 999999,
                                 -999999,
                                 86400000000,
                                 -86400000000,
                                 kLimit,
                                 -kLimit,
                                 951782400000000 /* 2000-02-29 */};
  for (int i = 0; i < 20000; ++i) {
    micros.push_back(-kLimit +
                     static_cast<int64_t>(random() % (2 * static_cast<uint64_t>(kLimit))));
  }
  for (int64_t value : micros) {
    std::chrono::microseconds since_epoch(value);
    auto seconds = std::chrono::floor<std::chrono::seconds>(since_epoch);
    time_t whole = static_cast<time_t>(seconds.count());
    struct tm parts {};
    ASSERT_NE(gmtime_r(&whole, &parts), nullptr);
    char expected[48];
    std::snprintf(expected, sizeof expected, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ",
                  parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday, parts.tm_hour,
                  parts.tm_min, parts.tm_sec,
                  static_cast<long long>((since_epoch - seconds).count()));
    ASSERT_EQ(formatRfc3339(WallTime(since_epoch)), expected) << value;
  }
}

TEST(DurationTest, ParsesUnits) {
  EXPECT_EQ(*parseDuration("60s"), 60s);
  EXPECT_EQ(*parseDuration("5m"), 300s);
  EXPECT_EQ(*parseDuration("1h"), 3600s);
  EXPECT_EQ(*parseDuration("30"), 30s);
  EXPECT_EQ(*parseDuration("0s"), 0s);
  EXPECT_EQ(*parseDuration("250ms"), 250ms);
  EXPECT_EQ(*parseDuration(" 2d "), 48h);
  EXPECT_EQ(*parseDuration("1.5s"), 1500ms);
}

TEST(DurationTest, RejectsGarbageWithAClearMessage) {
  auto result = parseDuration("5 minutes");
  ASSERT_FALSE(result.isOk());
  EXPECT_NE(result.status().message().find("unknown unit"), std::string::npos);
  EXPECT_FALSE(parseDuration("").isOk());
  EXPECT_FALSE(parseDuration("-5s").isOk());
  EXPECT_FALSE(parseDuration("s").isOk());
  EXPECT_FALSE(parseDuration("1e30s").isOk());
  EXPECT_FALSE(parseDuration("inf").isOk());
  EXPECT_FALSE(parseDuration("nan").isOk());
}

TEST(DurationTest, FormatsForDisplay) {
  EXPECT_EQ(formatDuration(0s), "0s");
  EXPECT_EQ(formatDuration(250ms), "250ms");
  EXPECT_EQ(formatDuration(90s), "1m30s");
  EXPECT_EQ(formatDuration(3600s), "1h");
  EXPECT_EQ(formatDuration(48h), "2d");
}

}  // namespace
}  // namespace orion
