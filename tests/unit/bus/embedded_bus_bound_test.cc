// The memory bound of the embedded bus: drop_oldest and block.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "bus_test_support.h"

namespace orion::bus {
namespace {

using testing::BusTest;
using testing::Recorder;
using testing::typeGroup;
using testing::waitUntil;

class EmbeddedBusBoundTest : public BusTest {
 protected:
  void bounded(size_t length, WhenFull when_full,
               Duration block_timeout = std::chrono::milliseconds(20)) {
    EmbeddedBusOptions options = testOptions();
    options.max_stream_length = length;
    options.when_full = when_full;
    options.block_timeout = block_timeout;
    makeBus(options);
  }

  // Creates `group` with no live consumer: it exists, reads nothing and acknowledges nothing.
  void idleGroup(const std::string& group) {
    Recorder unused;
    auto sub = record(group, group + "-1", unused);
    sub->stop();
  }
};

TEST_F(EmbeddedBusBoundTest, DropOldestKeepsTheNewestEntriesAndCountsTheDrops) {
  bounded(3, WhenFull::kDropOldest);
  idleGroup("slow");
  for (int i = 0; i < 5; ++i) publishEvent(i);
  EXPECT_EQ(metric("orion_bus_stream_length", {{"type", "event"}}), 3);
  EXPECT_EQ(metric("orion_bus_dropped_total", typeGroup("event", "slow")), 2);
  EXPECT_EQ(metric("orion_bus_group_lag", typeGroup("event", "slow")), 3);
  EXPECT_EQ(bus_->backlog("event", "slow").unread, 3u);
  EXPECT_EQ(metric("orion_bus_published_total", {{"type", "event"}}), 5);

  Recorder recorder;
  auto sub = record("slow", "slow-1", recorder);
  ASSERT_TRUE(sub->drain(later()));
  auto seen = recorder.seen();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].n, 2);
  EXPECT_EQ(seen[2].n, 4);
}

TEST_F(EmbeddedBusBoundTest, OnlyGroupsThatHadNotReadAnEntryCountItAsDropped) {
  bounded(2, WhenFull::kDropOldest);
  idleGroup("slow");
  Recorder recorder;
  auto fast = record("fast", "fast-1", recorder);
  for (int i = 0; i < 6; ++i) {
    publishEvent(i);
    ASSERT_TRUE(fast->drain(later()));
  }
  EXPECT_EQ(recorder.count(), 6u);
  EXPECT_EQ(metric("orion_bus_dropped_total", typeGroup("event", "fast")), 0);
  EXPECT_EQ(metric("orion_bus_dropped_total", typeGroup("event", "slow")), 4);
  EXPECT_EQ(metric("orion_bus_stream_length", {{"type", "event"}}), 2);
}

TEST_F(EmbeddedBusBoundTest, AnEntryTrimmedWhileAwaitingRedeliveryIsDeadLettered) {
  EmbeddedBusOptions options = testOptions();
  options.max_stream_length = 2;
  options.redelivery_delay = std::chrono::hours(1);
  makeBus(options);
  std::mutex mutex;
  std::vector<Json> letters;
  auto audit = subscribe("deadletter", "audit", "audit-1", [&](const Delivery& d) {
    std::lock_guard lock(mutex);
    letters.push_back(*d.document);
    return Status::ok();
  });
  Recorder recorder;
  auto brain = subscribe("event", "brain", "brain-1", [&](const Delivery& d) {
    recorder.add(d);
    return (*d.document)["data"]["n"] == 0 ? unavailable("model offline") : Status::ok();
  });
  publishEvent(0);
  ASSERT_TRUE(waitUntil([&] { return recorder.count() == 1; }));
  publishEvent(1);
  ASSERT_TRUE(waitUntil([&] { return recorder.count() == 2; }));
  // Entry 0 is parked for an hour and holds the stream's oldest place; the next publish trims it.
  publishEvent(2);
  ASSERT_TRUE(audit->drain(later()));
  EXPECT_EQ(metric("orion_bus_deadlettered_total",
                   {{"type", "event"}, {"group", "brain"}, {"reason", "trimmed"}}),
            1);
  std::lock_guard lock(mutex);
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0]["original_document"]["data"]["n"], 0);
  std::string reason = letters[0]["reason"];
  EXPECT_NE(reason.find("trimmed"), std::string::npos) << reason;
  EXPECT_NE(reason.find("model offline"), std::string::npos) << reason;
  EXPECT_EQ(letters[0]["delivery_attempts"], 1);
  ASSERT_TRUE(brain->drain(later()));
  EXPECT_EQ(recorder.count(), 3u);
}

TEST_F(EmbeddedBusBoundTest, BlockTimesOutWithResourceExhausted) {
  bounded(2, WhenFull::kBlock);
  idleGroup("slow");
  publishEvent(0);
  publishEvent(1);
  auto third = bus_->publish("event", testing::makeEvent(clock_, 2));
  ASSERT_FALSE(third.isOk());
  EXPECT_EQ(third.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(third.status().message().find("'slow'"), std::string::npos) << third.status().message();
  EXPECT_EQ(metric("orion_bus_publish_blocked_total", {{"type", "event"}}), 1);
  EXPECT_EQ(metric("orion_bus_publish_rejected_total", {{"type", "event"}}), 1);
  EXPECT_EQ(metric("orion_bus_published_total", {{"type", "event"}}), 2);
  EXPECT_EQ(bus_->backlog("event", "slow").unread, 2u);
}

TEST_F(EmbeddedBusBoundTest, BlockWaitsForTheSlowestGroupToAcknowledge) {
  bounded(1, WhenFull::kBlock, std::chrono::seconds(30));
  std::atomic<bool> release{false};
  Recorder recorder;
  auto sub = subscribe("event", "brain", "brain-1", [&](const Delivery& d) {
    waitUntil([&] { return release.load(); }, std::chrono::seconds(30));
    recorder.add(d);
    return Status::ok();
  });
  publishEvent(0);
  Result<std::string> second = internalError("not published yet");
  std::atomic<bool> returned{false};
  std::thread publisher([&] {
    second = bus_->publish("event", testing::makeEvent(clock_, 1));
    returned = true;
  });
  ASSERT_TRUE(waitUntil([&] {
    return metric("orion_bus_publish_blocked_total", {{"type", "event"}}) == 1;
  }));
  EXPECT_FALSE(returned.load());
  release = true;
  publisher.join();
  EXPECT_TRUE(second.isOk()) << second.status().toString();
  ASSERT_TRUE(sub->drain(later()));
  EXPECT_EQ(recorder.count(), 2u);
  EXPECT_EQ(metric("orion_bus_publish_rejected_total", {{"type", "event"}}), 0);
}

}  // namespace
}  // namespace orion::bus
