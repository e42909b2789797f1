// Redis going away and coming back: the bus degrades (healthy() false, /health 503), queues
// publishes locally (bounded, oldest dropped and counted), drains them in order when Redis is
// back, and across a kill -9 of Redis mid-flow (AOF on) loses no event and handles none twice.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <thread>

#include "api/api.h"
#include "bus/module_context.h"
#include "redis_bus_fixture.h"

namespace orion::bus::testing {
namespace {

class RedisOutageTest : public RedisBusTest {};

std::vector<int> numbersIn(const std::string& json_xrange) {
  std::vector<int> numbers;
  auto entries = parseJson(json_xrange);
  if (!entries || !entries->is_array()) return numbers;
  for (const Json& entry : *entries) {
    auto doc = parseJson(entry[1][1].get<std::string>());
    if (doc) numbers.push_back((*doc)["data"]["n"].get<int>());
  }
  return numbers;
}

TEST_F(RedisOutageTest, PublishesAreQueuedWhileRedisIsDownOldestDroppedAndDrainedInOrder) {
  auto options = this->options();
  options.local_queue_capacity = 5;
  auto bus = makeBus(options, metrics_);
  ASSERT_TRUE(bus);
  ASSERT_TRUE(waitUntil([&] { return bus->healthy(); }));

  redis_->kill();
  ASSERT_TRUE(waitUntil([&] { return !bus->healthy(); }, 5s));  // the idle writer's PING notices
  EXPECT_EQ(metrics_.read("orion_bus_redis_up"), 0);
  for (int i = 0; i < 8; ++i) {
    // Nothing fails because Redis is down: the document is queued.
    ASSERT_TRUE(bus->publish("event", event(clock_, i)).isOk()) << i;
  }
  ASSERT_TRUE(waitUntil([&] { return metrics_.read("orion_bus_local_queue_dropped_total") == 3; }));
  EXPECT_EQ(metrics_.read("orion_bus_local_queue_length"), 5);

  ASSERT_TRUE(redis_->restart().isOk());
  ASSERT_TRUE(waitUntil([&] { return xlen("orion:events") == 5; }, 10s));
  EXPECT_EQ(numbersIn(cli({"--json", "XRANGE", "orion:events", "-", "+"})),
            (std::vector<int>{3, 4, 5, 6, 7}));
  ASSERT_TRUE(waitUntil([&] { return bus->healthy(); }, 5s));
  EXPECT_EQ(metrics_.read("orion_bus_redis_up"), 1);
  EXPECT_EQ(metrics_.read("orion_bus_local_queue_length"), 0);
}

TEST_F(RedisOutageTest, RedisKilledAndRestartedMidFlowLosesNothingAndHandlesNothingTwice) {
  auto bus = makeBus();
  ASSERT_TRUE(bus);
  Recorder recorder;
  // The handler publishes too, as every pipeline stage does: its output must survive as well.
  Recorder downstream;
  auto stage = bus->subscribe({"event", "guardian", "guardian-1"}, [&](const Delivery& d) {
    recorder.add(d).ignore();                                            // the recorder never fails
    if (!(*d.document)["data"].contains("origin")) return Status::ok();  // a copy: done
    Json copy = *d.document;
    copy["event_id"] = newUuid();
    copy["data"].erase("origin");
    copy["data"]["from"] = (*d.document)["event_id"];
    return bus->publish("event", copy).status();
  });
  ASSERT_TRUE(stage.isOk());
  auto sink = bus->subscribe({"event", "sink", "sink-1"}, downstream.handler());
  ASSERT_TRUE(sink.isOk());

  constexpr int kCount = 600;
  std::atomic<int> published{0};
  std::thread producer([&] {
    for (int i = 0; i < kCount; ++i) {
      Json doc = event(clock_, i);
      doc["data"]["origin"] = true;
      EXPECT_TRUE(bus->publish("event", doc).isOk());
      published.store(i + 1);
      std::this_thread::sleep_for(2ms);  // a steady producer, not a burst
    }
  });
  ASSERT_TRUE(waitUntil([&] { return recorder.count() >= kCount / 4; }, 20s));
  redis_->kill();
  ASSERT_TRUE(waitUntil([&] { return !bus->healthy(); }, 5s));
  int at_kill = published.load();
  ASSERT_TRUE(waitUntil([&] { return published.load() >= at_kill + 50; }, 10s));
  ASSERT_TRUE(redis_->restart().isOk()) << redis_->logTail();
  producer.join();

  // Every original event reached the guardian group exactly once, and every copy it published
  // reached the sink exactly once (the sink sees originals and copies: 2 × kCount).
  auto originals = [&] {
    int n = 0;
    for (const Json& doc : recorder.documents()) n += doc["data"].contains("origin") ? 1 : 0;
    return n;
  };
  ASSERT_TRUE(waitUntil([&] { return downstream.byId().size() >= 2 * kCount; }, 30s))
      << downstream.byId().size() << " of " << 2 * kCount << "; originals " << originals();
  ASSERT_TRUE((*sink)->drain(clock_.monotonic() + 10s));
  ASSERT_TRUE((*stage)->drain(clock_.monotonic() + 10s));
  for (auto& [id, n] : recorder.byId()) EXPECT_EQ(n, 1) << "handled twice: " << id;
  for (auto& [id, n] : downstream.byId()) EXPECT_EQ(n, 1) << "handled twice: " << id;
  EXPECT_EQ(originals(), kCount);
  EXPECT_EQ(downstream.byId().size(), static_cast<size_t>(2 * kCount));
  EXPECT_TRUE(bus->healthy());
}

TEST_F(RedisOutageTest, AMessageStaysPendingUntilWhatItsHandlerPublishedIsWritten) {
  // A Redis at its memory limit (maxmemory, noeviction) refuses XADD with OOM but still serves
  // reads and acknowledgements. What a handler publishes then waits for Redis to take it, and
  // the message it handled is not acknowledged before that, nor handled twice after.
  auto bus = makeBus();
  ASSERT_TRUE(bus);
  std::atomic<bool> go{false};
  Recorder recorder;
  auto stage = bus->subscribe({"event", "guardian", "guardian-1"}, [&](const Delivery& d) {
    recorder.add(d).ignore();
    if (!(*d.document)["data"].contains("origin")) return Status::ok();  // the copy: done
    while (!go.load()) std::this_thread::sleep_for(1ms);
    Json copy = *d.document;
    copy["event_id"] = newUuid();
    copy["data"].erase("origin");
    return bus->publish("event", copy).status();
  });
  ASSERT_TRUE(stage.isOk());
  Json origin = event(clock_, 1);
  origin["data"]["origin"] = true;
  ASSERT_TRUE(bus->publish("event", origin).isOk());
  ASSERT_TRUE(waitUntil([&] { return recorder.count() == 1; }));

  cli({"CONFIG", "SET", "maxmemory", "1"});
  go = true;
  // The bus is degraded while Redis refuses writes, and stays so: reconnecting to a Redis that
  // accepts the connection but refuses the writer's setup does not count as being back (it
  // flapped, and logged both changes, on every attempt).
  ASSERT_TRUE(waitUntil([&] { return !bus->healthy(); }, 5s));
  int healthy_samples = 0;
  for (int i = 0; i < 60; ++i) {
    healthy_samples += bus->healthy() ? 1 : 0;
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_EQ(healthy_samples, 0);
  EXPECT_EQ(xlen("orion:events"), 1) << "the copy was refused";
  auto pending = [&] { return cli({"XPENDING", "orion:events", "guardian"}); };
  EXPECT_EQ(pending().substr(0, 1), "1") << "the origin is not acknowledged: " << pending();
  EXPECT_EQ(recorder.count(), 1u);

  cli({"CONFIG", "SET", "maxmemory", "0"});
  ASSERT_TRUE(waitUntil([&] { return xlen("orion:events") == 2; }, 10s));
  ASSERT_TRUE(waitUntil([&] { return recorder.count() == 2; }, 10s));
  ASSERT_TRUE((*stage)->drain(clock_.monotonic() + 10s)) << pending();
  EXPECT_TRUE(waitUntil([&] { return bus->healthy(); }, 10s));
  EXPECT_EQ(recorder.byId().size(), 2u);
  for (auto& [id, n] : recorder.byId()) EXPECT_EQ(n, 1) << "handled twice: " << id;
}

TEST_F(RedisOutageTest, HealthEndpointReportsTheDegradedBus) {
  auto bus = makeBus();
  ASSERT_TRUE(bus);
  int port = orion::testing::freeLoopbackPort();
  ASSERT_GT(port, 0);
  config::Config config;
  config.api.enabled = true;
  config.api.listen = "127.0.0.1:" + std::to_string(port);
  auto api = api::makeApiServer(config, ModuleContext{*bus, clock_, metrics_, "node-a"});
  Status started = api->start();
  ASSERT_TRUE(started.isOk()) << started.toString();
  httplib::Client client("127.0.0.1", port);
  ASSERT_TRUE(waitUntil([&] {
    auto response = client.Get("/health");
    return response && response->status == 200;
  }));
  redis_->kill();
  ASSERT_TRUE(waitUntil(
      [&] {
        auto response = client.Get("/health");
        return response && response->status == 503 &&
               response->body.find("degraded") != std::string::npos;
      },
      5s));
  ASSERT_TRUE(redis_->restart().isOk());
  ASSERT_TRUE(waitUntil(
      [&] {
        auto response = client.Get("/health");
        return response && response->status == 200;
      },
      10s));
  api->stop(clock_.monotonic() + 2s);
}

}  // namespace
}  // namespace orion::bus::testing
