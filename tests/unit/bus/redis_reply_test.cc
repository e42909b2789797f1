// Reading Redis replies: replies are built from RESP bytes with hiredis's own reader, as they
// come off the socket, so no server is needed.
#include "bus/redis_reply.h"

#include <gtest/gtest.h>

#include "bus/redis_connection.h"

namespace orion::bus {
namespace {

ReplyPtr resp(const std::string& bytes) {
  redisReader* reader = redisReaderCreate();
  redisReaderFeed(reader, bytes.data(), bytes.size());
  void* reply = nullptr;
  EXPECT_EQ(redisReaderGetReply(reader, &reply), REDIS_OK);
  redisReaderFree(reader);
  EXPECT_NE(reply, nullptr) << bytes;
  return ReplyPtr(static_cast<redisReply*>(reply));
}

std::string bulk(const std::string& s) {
  return "$" + std::to_string(s.size()) + "\r\n" + s + "\r\n";
}

TEST(RedisReplyTest, ReadReplyGivesEntriesWithTheirDataField) {
  std::string entry1 = "*2\r\n" + bulk("1-0") + "*2\r\n" + bulk("data") + bulk("{\"a\":1}");
  std::string entry2 =
      "*2\r\n" + bulk("2-0") + "*4\r\n" + bulk("x") + bulk("y") + bulk("z") + bulk("w");
  std::string deleted = "*2\r\n" + bulk("3-0") + "$-1\r\n";
  std::string entry4 =
      "*2\r\n" + bulk("4-0") + "*4\r\n" + bulk("x") + bulk("y") + bulk("data") + bulk("{\"b\":2}");
  auto reply =
      resp("*1\r\n*2\r\n" + bulk("orion:events") + "*4\r\n" + entry1 + entry2 + deleted + entry4);
  auto entries = parseReadReply(reply.get());
  ASSERT_TRUE(entries.isOk()) << entries.status().toString();
  ASSERT_EQ(entries->size(), 4u);
  EXPECT_EQ((*entries)[3].data, "{\"b\":2}");  // `data` among other fields
  EXPECT_EQ((*entries)[3].fields, "");
  EXPECT_EQ((*entries)[0].id, "1-0");
  EXPECT_EQ((*entries)[0].data, "{\"a\":1}");
  EXPECT_FALSE((*entries)[1].data.has_value());
  EXPECT_EQ((*entries)[1].fields, R"({"x":"y","z":"w"})");
  EXPECT_TRUE((*entries)[2].deleted);
  // Nothing new (BLOCK timed out) is a nil reply.
  auto none = parseReadReply(resp("*-1\r\n").get());
  ASSERT_TRUE(none.isOk());
  EXPECT_TRUE(none->empty());
  // A reply of another shape is an error naming the command.
  auto odd = parseReadReply(resp(":1\r\n").get());
  EXPECT_EQ(odd.status().code(), StatusCode::kInternal);
  EXPECT_NE(odd.status().message().find("XREADGROUP"), std::string::npos);
}

TEST(RedisReplyTest, ClaimReplyGivesCursorEntriesAndDeletedIds) {
  std::string entry = "*2\r\n" + bulk("5-1") + "*2\r\n" + bulk("data") + bulk("{}");
  auto reply = resp("*3\r\n" + bulk("7-0") + "*1\r\n" + entry + "*1\r\n" + bulk("4-0"));
  auto claim = parseClaimReply(reply.get());
  ASSERT_TRUE(claim.isOk()) << claim.status().toString();
  EXPECT_EQ(claim->cursor, "7-0");
  ASSERT_EQ(claim->entries.size(), 1u);
  EXPECT_EQ(claim->entries[0].id, "5-1");
  EXPECT_EQ(claim->deleted, (std::vector<std::string>{"4-0"}));
}

TEST(RedisReplyTest, PendingCountsAndGroupInfo) {
  auto pending = parsePendingCounts(
      resp("*1\r\n*4\r\n" + bulk("5-1") + bulk("guardian-1@a") + ":1200\r\n:3\r\n").get());
  ASSERT_TRUE(pending.isOk());
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0], std::make_pair(std::string("5-1"), int64_t{3}));

  std::string group = "*12\r\n" + bulk("name") + bulk("guardian") + bulk("consumers") + ":1\r\n" +
                      bulk("pending") + ":2\r\n" + bulk("last-delivered-id") + bulk("9-0") +
                      bulk("entries-read") + ":9\r\n" + bulk("lag") + "$-1\r\n";
  auto groups = parseGroupsInfo(resp("*1\r\n" + group).get());
  ASSERT_TRUE(groups.isOk()) << groups.status().toString();
  ASSERT_EQ(groups->size(), 1u);
  EXPECT_EQ((*groups)[0].name, "guardian");
  EXPECT_EQ((*groups)[0].pending, 2u);
  EXPECT_FALSE((*groups)[0].lag.has_value());  // nil: Redis cannot tell
  EXPECT_EQ((*groups)[0].last_delivered_id, "9-0");

  auto last = parseLastGeneratedId(
      resp("*4\r\n" + bulk("length") + ":3\r\n" + bulk("last-generated-id") + bulk("9-0")).get());
  ASSERT_TRUE(last.isOk());
  EXPECT_EQ(*last, "9-0");
}

TEST(RedisReplyTest, ErrorRepliesBecomeStatuses) {
  EXPECT_TRUE(replyError(*resp("+OK\r\n")).isOk());
  EXPECT_EQ(replyError(*resp("-NOPERM no permissions\r\n")).code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(replyError(*resp("-WRONGPASS invalid username-password pair\r\n")).code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(replyError(*resp("-OOM command not allowed\r\n")).code(), StatusCode::kUnavailable);
  EXPECT_EQ(replyError(*resp("-LOADING Redis is loading\r\n")).code(), StatusCode::kUnavailable);
  EXPECT_EQ(replyError(*resp("-NOGROUP No such key\r\n")).code(), StatusCode::kNotFound);
  EXPECT_EQ(replyError(*resp("-ERR syntax error\r\n")).code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace orion::bus
