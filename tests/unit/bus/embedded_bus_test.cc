// Delivery semantics of the embedded bus: publish validation, groups, consumers, ids, metrics.
#include "bus/embedded_bus.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <set>

#include "bus_test_support.h"
#include "common/thread_priority.h"

namespace orion::bus {
namespace {

using testing::BusTest;
using testing::makeEvent;
using testing::Recorder;
using testing::typeGroup;
using testing::waitUntil;

class EmbeddedBusTest : public BusTest {};

TEST_F(EmbeddedBusTest, DeliversAValidDocumentWithAttemptOneAndItsEntryId) {
  Recorder recorder;
  auto sub = record("guardian", "guardian-1", recorder);
  std::string id = publishEvent(7);
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(waitUntil([&] { return recorder.count() == 1; }));
  auto seen = recorder.seen();
  EXPECT_EQ(seen[0].entry_id, id);
  EXPECT_EQ(seen[0].attempt, 1);
  EXPECT_EQ(seen[0].n, 7);
  EXPECT_TRUE(sub->drain(later()));
  EXPECT_TRUE(bus_->backlog("event", "guardian").empty());
  EXPECT_EQ(bus_->kind(), "embedded");
  EXPECT_TRUE(bus_->healthy());
}

TEST_F(EmbeddedBusTest, ABackgroundSubscriptionHandlesOnALowerPriorityThread) {
  auto niceOfThisThread = [] { return ::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid())); };
  std::atomic<int> background_nice{-100};
  std::atomic<int> foreground_nice{-100};
  SubscribeOptions audit{"event", "memory", "memory-1"};
  audit.background = true;
  auto background = bus_->subscribe(audit, [&](const Delivery&) {
    background_nice = niceOfThisThread();
    return Status::ok();
  });
  auto foreground = bus_->subscribe({"event", "guardian", "guardian-1"}, [&](const Delivery&) {
    foreground_nice = niceOfThisThread();
    return Status::ok();
  });
  ASSERT_TRUE(background.isOk() && foreground.isOk());
  publishEvent(1);
  ASSERT_TRUE(waitUntil([&] { return background_nice != -100 && foreground_nice != -100; }));
  EXPECT_EQ(foreground_nice.load(), niceOfThisThread());
  EXPECT_EQ(background_nice.load(), std::min(19, niceOfThisThread() + kBackgroundNiceIncrement));
}

TEST_F(EmbeddedBusTest, HandlerSeesTheTypeAndTheSharedDocument) {
  std::atomic<int> checks{0};
  Json event = makeEvent(clock_, 1);
  auto sub = subscribe("event", "g", "c", [&](const Delivery& d) {
    if (d.type == "event" && *d.document == event) ++checks;
    return Status::ok();
  });
  ASSERT_TRUE(bus_->publish("event", event).isOk());
  EXPECT_TRUE(waitUntil([&] { return checks == 1; }));
}

TEST_F(EmbeddedBusTest, InvalidDocumentIsRefusedAndNothingIsDelivered) {
  Recorder recorder;
  auto sub = record("guardian", "guardian-1", recorder);
  Json bad = makeEvent(clock_, 1, "catastrophic");
  auto result = bus_->publish("event", bad);
  ASSERT_FALSE(result.isOk());
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(result.status().message().find("orion:events"), std::string::npos)
      << result.status().message();
  EXPECT_NE(result.status().message().find("/severity"), std::string::npos)
      << result.status().message();
  // A valid event of another contract type is refused too.
  EXPECT_EQ(bus_->publish("incident", makeEvent(clock_, 2)).status().code(),
            StatusCode::kInvalidArgument);

  EXPECT_EQ(metric("orion_bus_publish_rejected_total", {{"type", "event"}}), 1);
  EXPECT_EQ(metric("orion_bus_published_total", {{"type", "event"}}), 0);
  EXPECT_TRUE(bus_->backlog("event", "guardian").empty());
  // The next valid message is the first one delivered.
  publishEvent(3);
  ASSERT_TRUE(sub->drain(later()));
  ASSERT_EQ(recorder.count(), 1u);
  EXPECT_EQ(recorder.seen()[0].n, 3);
}

TEST_F(EmbeddedBusTest, UnknownTypeIsNotFound) {
  auto published = bus_->publish("evnet", makeEvent(clock_, 1));
  EXPECT_EQ(published.status().code(), StatusCode::kNotFound);
  EXPECT_NE(published.status().message().find("'evnet'"), std::string::npos);
  auto sub = bus_->subscribe({"evnet", "g", "c"}, [](const Delivery&) { return Status::ok(); });
  EXPECT_EQ(sub.status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(bus_->backlog("evnet", "g").empty());
}

TEST_F(EmbeddedBusTest, SubscribeRefusesEmptyNamesAndHandlers) {
  auto ok = [](const Delivery&) { return Status::ok(); };
  EXPECT_EQ(bus_->subscribe({"event", "", "c"}, ok).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bus_->subscribe({"event", "g", ""}, ok).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bus_->subscribe({"event", "g", "c"}, Handler()).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(EmbeddedBusTest, AConsumerNameIsLiveOnceInAGroup) {
  Recorder recorder;
  auto first = record("g", "c", recorder);
  auto again = bus_->subscribe({"event", "g", "c"}, [](const Delivery&) { return Status::ok(); });
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  first->stop();
  auto after_stop = record("g", "c", recorder);
  EXPECT_NE(after_stop, nullptr);
}

TEST_F(EmbeddedBusTest, EveryGroupSeesEveryMessage) {
  Recorder guardian;
  Recorder memory;
  auto a = record("guardian", "guardian-1", guardian);
  auto b = record("memory", "memory-1", memory);
  for (int i = 0; i < 50; ++i) publishEvent(i);
  ASSERT_TRUE(a->drain(later()));
  ASSERT_TRUE(b->drain(later()));
  for (const Recorder* recorder : {&guardian, &memory}) {
    auto seen = recorder->seen();
    ASSERT_EQ(seen.size(), 50u);
    for (int i = 0; i < 50; ++i) EXPECT_EQ(seen[i].n, i) << "in publication order";
  }
  EXPECT_EQ(metric("orion_bus_delivered_total", typeGroup("event", "guardian")), 50);
  EXPECT_EQ(metric("orion_bus_delivered_total", typeGroup("event", "memory")), 50);
}

TEST_F(EmbeddedBusTest, ANewGroupStartsWithMessagesPublishedAfterIt) {
  publishEvent(1);
  Recorder recorder;
  auto sub = record("late", "late-1", recorder);
  publishEvent(2);
  ASSERT_TRUE(sub->drain(later()));
  ASSERT_EQ(recorder.count(), 1u);
  EXPECT_EQ(recorder.seen()[0].n, 2);
}

TEST_F(EmbeddedBusTest, ConsumersOfOneGroupShareWithoutDuplicatesOrLoss) {
  constexpr int kMessages = 2000;
  Recorder one;
  Recorder two;
  // The first consumer holds its first message until the second has handled one, so the test
  // fails (by timing out) if one consumer takes everything.
  std::atomic<bool> two_handled{false};
  auto a = subscribe("event", "guardian", "guardian-1", [&](const Delivery& d) {
    if (one.count() == 0) waitUntil([&] { return two_handled.load(); });
    one.add(d);
    return Status::ok();
  });
  auto b = subscribe("event", "guardian", "guardian-2", [&](const Delivery& d) {
    two.add(d);
    two_handled = true;
    return Status::ok();
  });
  for (int i = 0; i < kMessages; ++i) publishEvent(i);
  ASSERT_TRUE(a->drain(later()));

  std::multiset<int> all;
  for (const auto& s : one.seen()) all.insert(s.n);
  for (const auto& s : two.seen()) all.insert(s.n);
  EXPECT_GT(one.count(), 0u);
  EXPECT_GT(two.count(), 0u);
  ASSERT_EQ(all.size(), static_cast<size_t>(kMessages)) << "no loss, no duplicates";
  for (int i = 0; i < kMessages; ++i) EXPECT_EQ(all.count(i), 1u) << i;
  EXPECT_EQ(metric("orion_bus_acked_total", typeGroup("event", "guardian")), kMessages);
}

TEST_F(EmbeddedBusTest, PublishFromInsideAHandlerWorks) {
  // Each event handled publishes the next one onto the same stream, until n reaches 5.
  Recorder recorder;
  auto sub = subscribe("event", "chain", "chain-1", [&](const Delivery& d) {
    recorder.add(d);
    int n = (*d.document)["data"]["n"].get<int>();
    if (n < 5) return bus_->publish("event", makeEvent(clock_, n + 1)).status();
    return Status::ok();
  });
  publishEvent(0);
  ASSERT_TRUE(waitUntil([&] { return recorder.count() == 6; }));
  ASSERT_TRUE(sub->drain(later()));
  EXPECT_EQ(recorder.seen().back().n, 5);
  EXPECT_EQ(metric("orion_bus_published_total", {{"type", "event"}}), 6);
}

TEST_F(EmbeddedBusTest, IdsAreMonotonicEvenWhenTheWallClockStepsBack) {
  std::vector<std::string> ids;
  ids.push_back(publishEvent(0));
  ids.push_back(publishEvent(1));  // same millisecond
  clock_.advance(std::chrono::milliseconds(5));
  ids.push_back(publishEvent(2));
  clock_.setWall(clock_.now() - std::chrono::hours(1));  // the wall clock steps back
  ids.push_back(publishEvent(3));
  ids.push_back(publishEvent(4));
  clock_.setWall(clock_.now() + std::chrono::hours(2));
  ids.push_back(publishEvent(5));

  auto parse = [](const std::string& id) {
    auto dash = id.find('-');
    return std::pair<int64_t, int64_t>(std::stoll(id.substr(0, dash)),
                                       std::stoll(id.substr(dash + 1)));
  };
  int64_t start_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                         SimulatedClock().now().time_since_epoch())
                         .count();
  EXPECT_EQ(ids[0], std::to_string(start_ms) + "-0");
  EXPECT_EQ(ids[1], std::to_string(start_ms) + "-1");
  EXPECT_EQ(ids[2], std::to_string(start_ms + 5) + "-0");
  EXPECT_EQ(ids[3], std::to_string(start_ms + 5) + "-1");
  EXPECT_EQ(ids[4], std::to_string(start_ms + 5) + "-2");
  for (size_t i = 1; i < ids.size(); ++i) EXPECT_LT(parse(ids[i - 1]), parse(ids[i])) << i;
}

TEST_F(EmbeddedBusTest, MetricsCountPublishesDeliveriesAndLag) {
  Recorder recorder;
  std::atomic<bool> release{false};
  auto sub = subscribe("event", "brain", "brain-1", [&](const Delivery& d) {
    waitUntil([&] { return release.load(); });
    recorder.add(d);
    return Status::ok();
  });
  for (int i = 0; i < 4; ++i) publishEvent(i);
  // The handler holds the first message: the group has everything unread or pending.
  EXPECT_EQ(metric("orion_bus_published_total", {{"type", "event"}}), 4);
  EXPECT_EQ(metric("orion_bus_stream_length", {{"type", "event"}}), 4);
  EXPECT_EQ(metric("orion_bus_group_lag", typeGroup("event", "brain")), 4);
  auto backlog = bus_->backlog("event", "brain");
  EXPECT_EQ(backlog.unread + backlog.pending, 4u);
  release = true;
  ASSERT_TRUE(sub->drain(later()));
  EXPECT_EQ(metric("orion_bus_delivered_total", typeGroup("event", "brain")), 4);
  EXPECT_EQ(metric("orion_bus_acked_total", typeGroup("event", "brain")), 4);
  EXPECT_EQ(metric("orion_bus_redelivered_total", typeGroup("event", "brain")), 0);
  EXPECT_EQ(metric("orion_bus_group_lag", typeGroup("event", "brain")), 0);
  // Every group acknowledged everything, so nothing is retained.
  EXPECT_EQ(metric("orion_bus_stream_length", {{"type", "event"}}), 0);
  EXPECT_EQ(metric("orion_bus_dropped_total", typeGroup("event", "brain")), 0);
}

TEST_F(EmbeddedBusTest, WithoutGroupsNothingIsRetained) {
  publishEvent(1);
  publishEvent(2);
  EXPECT_EQ(metric("orion_bus_published_total", {{"type", "event"}}), 2);
  EXPECT_EQ(metric("orion_bus_stream_length", {{"type", "event"}}), 0);
}

}  // namespace
}  // namespace orion::bus
