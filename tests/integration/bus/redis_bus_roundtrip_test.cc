// The Redis bus against a real redis-server: every contract type round-trips in the original's
// wire format; invalid documents are refused on publish (nothing written) and dead-lettered on
// consume (entries written by a foreign client, redis-cli); failing handlers are retried and
// then dead-lettered.
#include <gtest/gtest.h>

#include "fixtures.h"
#include "redis_bus_fixture.h"

namespace orion::bus::testing {
namespace {

using contracts::testing::allTypes;
using contracts::testing::validDocument;

class RedisRoundTripTest : public RedisBusTest {};

TEST_F(RedisRoundTripTest, EveryContractTypeRoundTripsAsOneDataField) {
  auto bus = makeBus();
  ASSERT_TRUE(bus);
  std::map<std::string, Recorder> recorders;
  std::vector<std::unique_ptr<Subscription>> subscriptions;
  for (const std::string& type : allTypes()) {
    auto subscription = bus->subscribe({type, "roundtrip", "c-1"}, recorders[type].handler());
    ASSERT_TRUE(subscription.isOk()) << type << ": " << subscription.status().toString();
    subscriptions.push_back(std::move(subscription).value());
  }
  for (const std::string& type : allTypes()) {
    ASSERT_TRUE(bus->publish(type, validDocument(type)).isOk()) << type;
  }
  for (const std::string& type : allTypes()) {
    ASSERT_TRUE(waitUntil([&] { return recorders[type].count() == 1; })) << type;
    EXPECT_EQ(recorders[type].documents().at(0), validDocument(type)) << type;
    // The original's envelope: stream "<prefix>:<type>s", one field `data` with the JSON text.
    std::string key = contracts::streamKey("orion", type);
    auto stored = parseJson(cli({"--json", "XRANGE", key, "-", "+"}));
    ASSERT_TRUE(stored.isOk()) << type;
    ASSERT_EQ(stored->size(), 1u) << type;
    const Json& fields = (*stored)[0][1];
    ASSERT_EQ(fields.size(), 2u) << type;
    EXPECT_EQ(fields[0], "data");
    EXPECT_EQ(parseJson(fields[1].get<std::string>()).valueOr(Json()), validDocument(type));
  }
  for (auto& subscription : subscriptions)
    ASSERT_TRUE(subscription->drain(clock_.monotonic() + 5s));
  EXPECT_EQ(bus->backlog("event", "roundtrip").pending, 0u);
}

TEST_F(RedisRoundTripTest, AnInvalidPublishIsRefusedAndNothingIsWritten) {
  auto bus = makeBus();
  ASSERT_TRUE(bus);
  Json bad = validDocument("event");
  bad["severity"] = "apocalyptic";
  Result<std::string> published = bus->publish("event", bad);
  EXPECT_EQ(published.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(published.status().message().find("/severity"), std::string::npos)
      << published.status().message();
  // A valid document under the wrong type is refused too, and an unknown type is kNotFound.
  EXPECT_EQ(bus->publish("incident", validDocument("event")).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(bus->publish("no_such_type", validDocument("event")).status().code(),
            StatusCode::kNotFound);
  // Give the writer every chance to (wrongly) write something: publish a valid one after and
  // wait for it, so the order of the queue proves nothing came before it.
  ASSERT_TRUE(bus->publish("decision", validDocument("decision")).isOk());
  ASSERT_TRUE(waitUntil([&] { return xlen("orion:decisions") == 1; }));
  EXPECT_EQ(xlen("orion:events"), 0);
  EXPECT_EQ(xlen("orion:incidents"), 0);
  EXPECT_EQ(metrics_.read("orion_bus_publish_rejected_total", {{"type", "event"}}), 1);
  EXPECT_EQ(metrics_.read("orion_bus_publish_rejected_total", {{"type", "incident"}}), 1);
}

TEST_F(RedisRoundTripTest, AnOriginalV1DocumentWrittenByAForeignClientIsConsumed) {
  auto bus = makeBus();
  ASSERT_TRUE(bus);
  Recorder recorder;
  auto subscription = bus->subscribe({"event", "guardian", "guardian-1"}, recorder.handler());
  ASSERT_TRUE(subscription.isOk()) << subscription.status().toString();
  // As the Python original publishes it: aware UTC timestamp with microseconds and +00:00.
  std::string original =
      R"({"version": "1.0", "event_id": "0b7e7c1e-3f4a-4c55-9a2e-8f0e6f1d2c3b", )"
      R"("timestamp": "2026-01-14T12:00:00.123456+00:00", "source": "orion-watcher-system", )"
      R"("event_type": "metric_threshold_exceeded", "severity": "warning", )"
      R"("data": {"metric": "cpu_percent", "value": 93.5, "threshold": 90}})";
  std::string id = cli({"XADD", "orion:events", "MAXLEN", "~", "10000", "*", "data", original});
  ASSERT_NE(id.find('-'), std::string::npos) << id;
  ASSERT_TRUE(waitUntil([&] { return recorder.count() == 1; }));
  EXPECT_EQ(recorder.documents()[0], parseJson(original).valueOr(Json()));
  ASSERT_TRUE((*subscription)->drain(clock_.monotonic() + 5s));
  EXPECT_TRUE(deadLetters().empty());
}

TEST_F(RedisRoundTripTest, InvalidEntriesFromAForeignClientAreDeadLettered) {
  auto bus = makeBus();
  ASSERT_TRUE(bus);
  Recorder recorder;
  auto subscription = bus->subscribe({"event", "guardian", "guardian-1"}, recorder.handler());
  ASSERT_TRUE(subscription.isOk()) << subscription.status().toString();

  Json invalid = validDocument("event");
  invalid.erase("event_id");
  std::string not_json = cli({"XADD", "orion:events", "*", "data", "{not json"});
  std::string no_data = cli({"XADD", "orion:events", "*", "payload", "x"});
  std::string bad_doc = cli({"XADD", "orion:events", "*", "data", dumpJson(invalid)});
  std::string good = cli({"XADD", "orion:events", "*", "data", dumpJson(validDocument("event"))});

  ASSERT_TRUE(waitUntil([&] { return deadLetters().size() == 3; })) << deadLetters().size();
  ASSERT_TRUE(waitUntil([&] { return recorder.count() == 1; }));
  std::map<std::string, Json> by_entry;
  for (const Json& letter : deadLetters()) {
    EXPECT_TRUE(contracts()->validate("deadletter", letter).isOk()) << letter.dump();
    by_entry[letter.value("original_entry_id", "")] = letter;
  }
  ASSERT_EQ(by_entry.count(not_json), 1u);
  EXPECT_EQ(by_entry[not_json]["original_raw"], "{not json");
  EXPECT_NE(by_entry[not_json]["reason"].get<std::string>().find("not JSON"), std::string::npos);
  ASSERT_EQ(by_entry.count(no_data), 1u);
  EXPECT_NE(by_entry[no_data]["reason"].get<std::string>().find("no 'data' field"),
            std::string::npos);
  ASSERT_EQ(by_entry.count(bad_doc), 1u);
  EXPECT_EQ(by_entry[bad_doc]["original_document"], invalid);
  EXPECT_NE(by_entry[bad_doc]["reason"].get<std::string>().find("event_id"), std::string::npos);
  for (auto& [entry, letter] : by_entry) {
    EXPECT_EQ(letter["stream"], "orion:events");
    EXPECT_EQ(letter["contract_type"], "event");
    EXPECT_EQ(letter["consumer_group"], "guardian");
  }
  // Dead-lettered entries are acknowledged: nothing stays pending.
  ASSERT_TRUE((*subscription)->drain(clock_.monotonic() + 5s));
  EXPECT_EQ(metrics_.read("orion_bus_deadlettered_total",
                          {{"type", "event"}, {"group", "guardian"}, {"reason", "invalid"}}),
            3);
  EXPECT_EQ(good.empty(), false);
}

TEST_F(RedisRoundTripTest, AFailingHandlerIsRetriedThenDeadLettered) {
  auto options = this->options();
  options.max_deliveries = 3;
  auto bus = makeBus(options, metrics_);
  ASSERT_TRUE(bus);
  std::atomic<int> calls{0};
  std::vector<int> attempts;
  std::mutex mutex;
  auto subscription = bus->subscribe({"event", "brittle", "b-1"}, [&](const Delivery& delivery) {
    std::lock_guard lock(mutex);
    attempts.push_back(delivery.attempt);
    ++calls;
    return unavailable("downstream is down");
  });
  ASSERT_TRUE(subscription.isOk());
  ASSERT_TRUE(bus->publish("event", event(clock_, 1)).isOk());
  ASSERT_TRUE(waitUntil([&] { return deadLetters().size() == 1; }));
  ASSERT_TRUE((*subscription)->drain(clock_.monotonic() + 5s));
  EXPECT_EQ(calls.load(), 3);
  EXPECT_EQ(attempts, (std::vector<int>{1, 2, 3}));
  Json letter = deadLetters().at(0);
  EXPECT_EQ(letter["delivery_attempts"], 3);
  EXPECT_NE(letter["reason"].get<std::string>().find("downstream is down"), std::string::npos);
  EXPECT_EQ(metrics_.read("orion_bus_deadlettered_total",
                          {{"type", "event"}, {"group", "brittle"}, {"reason", "handler_error"}}),
            1);
}

TEST_F(RedisRoundTripTest, AHandlerThatRejectsAMessageSendsItStraightToTheDeadLetters) {
  auto bus = makeBus();
  ASSERT_TRUE(bus);
  std::atomic<int> calls{0};
  auto subscription = bus->subscribe({"event", "picky", "p-1"}, [&](const Delivery&) {
    ++calls;
    return invalidArgument("not for me");
  });
  ASSERT_TRUE(subscription.isOk());
  ASSERT_TRUE(bus->publish("event", event(clock_, 1)).isOk());
  ASSERT_TRUE(waitUntil([&] { return deadLetters().size() == 1; }));
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(metrics_.read("orion_bus_deadlettered_total",
                          {{"type", "event"}, {"group", "picky"}, {"reason", "poison"}}),
            1);
}

}  // namespace
}  // namespace orion::bus::testing
