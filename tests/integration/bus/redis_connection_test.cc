// The Redis connection against a real redis-server: ORION writes the commands itself (RESP, one
// send per pipeline) and hiredis reads the replies, so arguments must reach Redis byte for byte
// whatever they hold, and a pipeline larger than the socket's buffers must go through whole.
#include "bus/redis_connection.h"

#include <gtest/gtest.h>

#include "redis_bus_fixture.h"

namespace orion::bus::testing {
namespace {

class RedisConnectionTest : public RedisBusTest {
 protected:
  std::unique_ptr<RedisConnection> connect() {
    auto opened = RedisConnection::open(options().endpoint);
    EXPECT_TRUE(opened.isOk()) << opened.status().toString();
    return opened.isOk() ? std::move(opened).value() : nullptr;
  }
};

TEST_F(RedisConnectionTest, ArgumentsReachRedisByteForByte) {
  auto connection = connect();
  ASSERT_TRUE(connection);
  const std::vector<std::string> values = {"",
                                           "plain",
                                           "with\r\nline breaks\r\n",
                                           std::string("nul\0inside", 10),
                                           "*2\r\n$3\r\nfoo",
                                           std::string(1 << 20, 'x')};
  for (size_t i = 0; i < values.size(); ++i) {
    std::string key = "k" + std::to_string(i);
    auto set = connection->command({"SET", key, values[i]});
    ASSERT_TRUE(set.isOk()) << set.status().toString();
    ASSERT_TRUE(replyError(**set).isOk()) << replyText(set->get());
    auto got = connection->command({"GET", key});
    ASSERT_TRUE(got.isOk()) << got.status().toString();
    EXPECT_EQ(replyText(got->get()), values[i]) << "value " << i;
  }
}

TEST_F(RedisConnectionTest, APipelineLargerThanTheSocketBuffersIsSentWholeAndAnsweredInOrder) {
  auto connection = connect();
  ASSERT_TRUE(connection);
  constexpr int kCommands = 2000;
  const std::string document(2000, 'd');  // ~4 MB in one pipeline
  for (int i = 0; i < kCommands; ++i) {
    connection->append({"XADD", "pipelined", "*", "data", document, "n", std::to_string(i)});
  }
  for (int i = 0; i < kCommands; ++i) {
    auto reply = connection->reply();
    ASSERT_TRUE(reply.isOk()) << i << ": " << reply.status().toString();
    ASSERT_TRUE(replyError(**reply).isOk()) << replyText(reply->get());
  }
  auto length = connection->command({"XLEN", "pipelined"});
  ASSERT_TRUE(length.isOk());
  EXPECT_EQ(replyInteger(length->get()), kCommands);
  // The connection is still in step: the next command gets its own reply.
  auto pong = connection->command({"PING"});
  ASSERT_TRUE(pong.isOk());
  EXPECT_EQ(replyText(pong->get()), "PONG");
}

// Groups of one process reading the same entries share their decoding (DecodedEntries): each
// group still sees every valid entry once, and each dead-letters an invalid one for itself.
TEST_F(RedisConnectionTest, GroupsReadingTheSameEntriesTogetherEachHandleEveryOne) {
  auto bus = makeBus();
  ASSERT_TRUE(bus);
  Recorder a, b, c;
  auto first = bus->subscribe({"event", "first", "c-1"}, a.handler());
  auto second = bus->subscribe({"event", "second", "c-1"}, b.handler());
  auto third = bus->subscribe({"event", "third", "c-1"}, c.handler());
  ASSERT_TRUE(first.isOk() && second.isOk() && third.isOk());
  ASSERT_TRUE(waitUntil([&] {
    return cli({"XINFO", "GROUPS", "orion:events"}).find("third") != std::string::npos;
  }));
  constexpr int kEvents = 600;
  for (int i = 0; i < kEvents; ++i) {
    ASSERT_TRUE(bus->publish("event", event(clock_, i)).isOk());
    if (i == kEvents / 2) cli({"XADD", "orion:events", "*", "data", "{not json"});
  }
  for (Recorder* recorder : {&a, &b, &c}) {
    ASSERT_TRUE(waitUntil([&] { return recorder->count() == kEvents; }, 20s)) << recorder->count();
  }
  // One dead letter per group for the foreign entry.
  ASSERT_TRUE(waitUntil([&] {
    return cli({"XLEN", "orion:deadletters"}) == "3";
  })) << cli({"XLEN", "orion:deadletters"});
  for (auto* subscription : {&first, &second, &third}) {
    EXPECT_TRUE((**subscription)->drain(clock_.monotonic() + 5s));
  }
  for (Recorder* recorder : {&a, &b, &c}) EXPECT_EQ(recorder->count(), kEvents);
}

}  // namespace
}  // namespace orion::bus::testing
