#include "config/values.h"

#include <gtest/gtest.h>

#include "config/config.h"
#include "config/suggest.h"

namespace orion::config {
namespace {

using namespace std::chrono_literals;

TEST(ValuesTest, ParsesBooleansInAnyCommonSpelling) {
  EXPECT_TRUE(*parseBoolText("true"));
  EXPECT_TRUE(*parseBoolText("Yes"));
  EXPECT_TRUE(*parseBoolText("ON"));
  EXPECT_FALSE(*parseBoolText("false"));
  EXPECT_FALSE(*parseBoolText("no"));
  EXPECT_FALSE(*parseBoolText(" off "));
  auto bad = parseBoolText("maybe");
  ASSERT_FALSE(bad.isOk());
  EXPECT_EQ(bad.status().message(), "expected true or false, got 'maybe'");
}

TEST(ValuesTest, IntegersMustBeWholeAndInRange) {
  EXPECT_EQ(*parseIntegerText("42", 1, 100), 42);
  EXPECT_EQ(*parseIntegerText(" 7 ", 1, 100), 7);
  EXPECT_EQ(parseIntegerText("0", 1, 100).status().message(),
            "expected an integer from 1 to 100, got '0'");
  EXPECT_FALSE(parseIntegerText("101", 1, 100).isOk());
  EXPECT_FALSE(parseIntegerText("1.5", 1, 100).isOk());
  EXPECT_FALSE(parseIntegerText("ten", 1, 100).isOk());
  EXPECT_FALSE(parseIntegerText("", 1, 100).isOk());
  EXPECT_FALSE(parseIntegerText("99999999999999999999", 1, 100).isOk());
}

TEST(ValuesTest, NumbersMustBeFiniteAndInRange) {
  EXPECT_DOUBLE_EQ(*parseNumberText("90.5", 0, 100), 90.5);
  EXPECT_DOUBLE_EQ(*parseNumberText("0", 0, 100), 0);
  EXPECT_EQ(parseNumberText("101", 0, 100).status().message(),
            "expected a number from 0 to 100, got '101'");
  EXPECT_FALSE(parseNumberText("-1", 0, 100).isOk());
  EXPECT_FALSE(parseNumberText("nan", 0, 100).isOk());
  EXPECT_FALSE(parseNumberText("inf", 0, 1e300).isOk());
  EXPECT_FALSE(parseNumberText("12%", 0, 100).isOk());
}

TEST(ValuesTest, DurationsAcceptUnitsBareSecondsAndCompoundForms) {
  EXPECT_EQ(*parseDurationText("250ms", 0ms, 1h), 250ms);
  EXPECT_EQ(*parseDurationText("15s", 0ms, 1h), 15s);
  EXPECT_EQ(*parseDurationText("5m", 0ms, 1h), 5min);
  EXPECT_EQ(*parseDurationText("30", 0ms, 1h), 30s);
  EXPECT_EQ(*parseDurationText("1.5s", 0ms, 1h), 1500ms);
  EXPECT_EQ(*parseDurationText("1m30s", 0ms, 1h), 90s);
  EXPECT_EQ(*parseDurationText("1h", 0ms, 24h), 1h);
}

TEST(ValuesTest, DurationErrorsSayWhatWasExpected) {
  EXPECT_EQ(parseDurationText("fast", 0ms, 1h).status().message(),
            "expected a duration such as 15s, got 'fast'");
  EXPECT_EQ(parseDurationText("50ms", 100ms, 24h).status().message(),
            "expected a duration from 100ms to 1d, got '50ms'");
  EXPECT_EQ(parseDurationText("2m", 0ms, 1min).status().message(),
            "expected a duration of at most 1m, got '2m'");
  EXPECT_EQ(parseDurationText("1.5ms", 0ms, 1h).status().message(),
            "expected a duration in whole milliseconds, got '1.5ms'");
  for (const char* bad : {"", "-5s", "5 minutes", "1m30", "nan", "infs", "1e3s", "5x", "s"}) {
    EXPECT_FALSE(parseDurationText(bad, 0ms, 1h).isOk()) << bad;
  }
}

TEST(ValuesTest, HugeDurationsAreOutOfRangeNotOverflow) {
  auto huge = parseDurationText("99999999999999999999d", 0ms, 24h);
  ASSERT_FALSE(huge.isOk());
  EXPECT_EQ(huge.status().message(),
            "expected a duration of at most 1d, got '99999999999999999999d'");
}

TEST(ValuesTest, ListenAddressNeedsHostAndPort) {
  EXPECT_TRUE(checkListenAddress("127.0.0.1:9750").isOk());
  EXPECT_TRUE(checkListenAddress("localhost:1").isOk());
  EXPECT_TRUE(checkListenAddress("[::1]:65535").isOk());
  EXPECT_TRUE(checkListenAddress("0.0.0.0:80").isOk());
  for (const char* bad : {"9750", ":9750", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536",
                          "::1:9750", "[::1]9750", "host:port", "a b:80"}) {
    EXPECT_FALSE(checkListenAddress(bad).isOk()) << bad;
  }
  EXPECT_EQ(checkListenAddress("127.0.0.1:0").message(),
            "expected host:port with a port from 1 to 65535, such as 127.0.0.1:9750, got "
            "'127.0.0.1:0'");
}

TEST(ValuesTest, BusUrlIsEmptyOrRedis) {
  EXPECT_TRUE(checkBusUrl("").isOk());
  EXPECT_TRUE(checkBusUrl("redis://localhost").isOk());
  EXPECT_TRUE(checkBusUrl("redis://localhost:6379").isOk());
  EXPECT_TRUE(checkBusUrl("redis://user:secret@10.0.0.5:6379/3").isOk());
  EXPECT_TRUE(checkBusUrl("redis://[::1]:6379/0").isOk());
  for (const char* bad : {"localhost:6379", "http://x", "redis://", "redis://:6379", "redis://h:0",
                          "redis://h:6379/16", "redis://h/x"}) {
    EXPECT_FALSE(checkBusUrl(bad).isOk()) << bad;
  }
}

TEST(ValuesTest, RedisUrlsAreSplitIntoTheirParts) {
  auto full = parseRedisUrl("redis://orion-core:p%40ss:w@redis.lan:6380/2");
  ASSERT_TRUE(full.isOk()) << full.status().toString();
  EXPECT_EQ(full->user, "orion-core");
  EXPECT_EQ(full->password, "p@ss:w");  // percent-decoded; only the first ':' splits
  EXPECT_EQ(full->host, "redis.lan");
  EXPECT_EQ(full->port, 6380);
  EXPECT_EQ(full->db, 2);
  auto bare = parseRedisUrl("redis://[::1]");
  ASSERT_TRUE(bare.isOk());
  EXPECT_EQ(bare->host, "::1");
  EXPECT_EQ(bare->port, 6379);
  EXPECT_EQ(bare->db, 0);
  EXPECT_TRUE(bare->user.empty() && bare->password.empty());
  auto password_only = parseRedisUrl("redis://:secret@h");
  ASSERT_TRUE(password_only.isOk());
  EXPECT_EQ(password_only->user, "");
  EXPECT_EQ(password_only->password, "secret");
  EXPECT_FALSE(parseRedisUrl("redis://u:%zz@h").isOk());
}

TEST(ValuesTest, UnixSocketRedisUrlsNameTheSocket) {
  auto bare = parseRedisUrl("unix:///run/redis/redis.sock");
  ASSERT_TRUE(bare.isOk()) << bare.status().toString();
  EXPECT_EQ(bare->socket, "/run/redis/redis.sock");
  EXPECT_EQ(bare->db, 0);
  EXPECT_TRUE(bare->host.empty() && bare->user.empty() && bare->password.empty());
  auto full = parseRedisUrl("unix://orion-core:p%40ss@/run/redis/redis.sock?db=3");
  ASSERT_TRUE(full.isOk()) << full.status().toString();
  EXPECT_EQ(full->user, "orion-core");
  EXPECT_EQ(full->password, "p@ss");
  EXPECT_EQ(full->socket, "/run/redis/redis.sock");
  EXPECT_EQ(full->db, 3);
  for (const char* bad :
       {"unix://", "unix://run/redis.sock", "unix:///", "unix:///r.sock?db=16",
        "unix:///r.sock?database=1", "unix://user:pw/r.sock", "unix://u:%zz@/r.sock"}) {
    Status status = checkBusUrl(bad);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(status.message().find("unix://[user:password@]/path/to/redis.sock"),
              std::string::npos)
        << status.message();
  }
  std::string long_path = "unix:///" + std::string(110, 'a');
  EXPECT_FALSE(checkBusUrl(long_path).isOk()) << "longer than a unix socket address holds";
  Status hidden = checkBusUrl("unix://user:hunter2@relative.sock");
  EXPECT_EQ(hidden.message().find("hunter2"), std::string::npos) << hidden.message();
}

TEST(ValuesTest, TlsRedisUrlsAreRefusedWithTheReason) {
  Status status = checkBusUrl("rediss://user:hunter2@host:6379");
  ASSERT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("TLS"), std::string::npos) << status.message();
  EXPECT_EQ(status.message().find("hunter2"), std::string::npos) << status.message();
}

TEST(ValuesTest, BusUrlErrorsDoNotEchoThePassword) {
  Status status = checkBusUrl("redis://user:hunter2@host:99999");
  ASSERT_FALSE(status.isOk());
  EXPECT_EQ(status.message().find("hunter2"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("host:99999"), std::string::npos) << status.message();
}

TEST(ValuesTest, NumbersFormatShortestAndParseBack) {
  EXPECT_EQ(formatNumber(90), "90");
  EXPECT_EQ(formatNumber(0.5), "0.5");
  EXPECT_EQ(formatNumber(97.25), "97.25");
  EXPECT_DOUBLE_EQ(*parseNumberText(formatNumber(1.0 / 3.0), 0, 1), 1.0 / 3.0);
}

TEST(SuggestTest, EditDistanceCountsEdits) {
  EXPECT_EQ(editDistance("interval", "interval"), 0u);
  EXPECT_EQ(editDistance("intervl", "interval"), 1u);
  EXPECT_EQ(editDistance("inetrval", "interval"), 2u);
  EXPECT_EQ(editDistance("", "abc"), 3u);
}

TEST(SuggestTest, NearestOnlyWhenPlausible) {
  std::vector<std::string> keys = {"enabled", "interval", "mounts"};
  EXPECT_EQ(nearest("intervall", keys), "interval");
  EXPECT_EQ(nearest("mount", keys), "mounts");
  EXPECT_EQ(nearest("colour", keys), std::nullopt);
}

}  // namespace
}  // namespace orion::config
