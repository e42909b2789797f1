// Lifetimes on the embedded bus: drain, stop, resubscribe, destroying the bus first.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "bus_test_support.h"

namespace orion::bus {
namespace {

using testing::BusTest;
using testing::makeEvent;
using testing::Recorder;
using testing::typeGroup;
using testing::waitUntil;

class EmbeddedBusLifecycleTest : public BusTest {};

TEST_F(EmbeddedBusLifecycleTest, DrainReturnsFalseWhenTheDeadlinePassesFirst) {
  std::atomic<bool> release{false};
  auto sub = subscribe("event", "g", "c", [&](const Delivery&) {
    waitUntil([&] { return release.load(); });
    return Status::ok();
  });
  publishEvent(1);
  EXPECT_FALSE(sub->drain(clock_.monotonic()));
  release = true;
  EXPECT_TRUE(sub->drain(later()));
}

TEST_F(EmbeddedBusLifecycleTest, FailedEntriesStayPendingForTheNextConsumerOfTheGroup) {
  EmbeddedBusOptions options = testOptions();
  options.redelivery_delay = std::chrono::minutes(1);
  makeBus(options);
  Recorder first;
  auto sub = subscribe("event", "brain", "brain-1", [&](const Delivery& d) {
    first.add(d);
    return unavailable("down");
  });
  for (int i = 0; i < 3; ++i) publishEvent(i);
  ASSERT_TRUE(waitUntil([&] { return first.count() == 3; }));
  sub->stop();
  sub->stop();  // idempotent
  EXPECT_EQ(bus_->backlog("event", "brain").pending, 3u);
  EXPECT_EQ(bus_->backlog("event", "brain").unread, 0u);

  Recorder second;
  auto next = record("brain", "brain-2", second);
  clock_.advance(std::chrono::minutes(1));
  ASSERT_TRUE(next->drain(later()));
  auto seen = second.seen();
  ASSERT_EQ(seen.size(), 3u);
  for (const auto& s : seen) EXPECT_EQ(s.attempt, 2);
  EXPECT_EQ(metric("orion_bus_acked_total", typeGroup("event", "brain")), 3);
}

TEST_F(EmbeddedBusLifecycleTest, StopWaitsForTheRunningHandlerWhichIsAcknowledged) {
  std::atomic<bool> in_handler{false};
  std::atomic<bool> release{false};
  auto sub = subscribe("event", "brain", "brain-1", [&](const Delivery&) {
    in_handler = true;
    waitUntil([&] { return release.load(); });
    return Status::ok();
  });
  publishEvent(1);
  ASSERT_TRUE(waitUntil([&] { return in_handler.load(); }));
  std::atomic<bool> stopped{false};
  std::thread stopper([&] {
    sub->stop();
    stopped = true;
  });
  EXPECT_FALSE(stopped.load()) << "stop() cannot return while the handler runs";
  release = true;
  stopper.join();
  EXPECT_EQ(metric("orion_bus_acked_total", typeGroup("event", "brain")), 1);
  EXPECT_TRUE(bus_->backlog("event", "brain").empty());
}

TEST_F(EmbeddedBusLifecycleTest, EntriesTakenButNotHandledGoBackToTheGroupOnStop) {
  // The group exists before the entries, so the consumer's first take holds all three.
  Recorder unused;
  record("brain", "brain-1", unused)->stop();
  for (int i = 0; i < 3; ++i) publishEvent(i);

  // The handler asks for the stop itself while handling the first entry.
  Recorder first;
  std::atomic<Subscription*> self{nullptr};
  auto sub = subscribe("event", "brain", "brain-1", [&](const Delivery& d) {
    waitUntil([&] { return self.load() != nullptr; });  // the entries are there before `sub`
    self.load()->stop();
    first.add(d);
    return Status::ok();
  });
  self = sub.get();
  ASSERT_TRUE(waitUntil([&] { return first.count() == 1; }));
  sub->stop();
  ASSERT_EQ(first.count(), 1u) << "the handler in progress finished, nothing after it ran";
  EXPECT_EQ(first.seen()[0].n, 0);
  EXPECT_EQ(bus_->backlog("event", "brain").pending, 2u);

  // The same consumer subscribing again gets the rest, as first deliveries.
  Recorder again;
  auto resumed = record("brain", "brain-1", again);
  ASSERT_TRUE(resumed->drain(later()));
  auto seen = again.seen();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].n + seen[1].n, 3);
  for (const auto& s : seen) EXPECT_EQ(s.attempt, 1);
  EXPECT_EQ(metric("orion_bus_acked_total", typeGroup("event", "brain")), 3);
}

TEST_F(EmbeddedBusLifecycleTest, StopFromItsOwnHandlerDoesNotDeadlock) {
  std::unique_ptr<Subscription> sub;
  std::atomic<int> calls{0};
  sub = subscribe("event", "g", "c", [&](const Delivery&) {
    ++calls;
    sub->stop();
    return Status::ok();
  });
  publishEvent(1);
  ASSERT_TRUE(waitUntil([&] { return calls == 1; }));
  publishEvent(2);
  sub->stop();
  EXPECT_EQ(calls, 1) << "no delivery after the stop";
  EXPECT_EQ(bus_->backlog("event", "g").unread, 1u);
}

TEST_F(EmbeddedBusLifecycleTest, DestroyingTheBusBeforeItsSubscriptionsIsSafe) {
  std::atomic<bool> in_handler{false};
  std::atomic<bool> release{false};
  Status publish_during_shutdown;
  Bus* bus = bus_.get();  // bus_ reads null while it is being destroyed
  auto holding = subscribe("event", "brain", "brain-1", [&](const Delivery&) {
    in_handler = true;
    waitUntil([&] { return release.load(); });
    publish_during_shutdown = bus->publish("event", makeEvent(clock_, 99)).status();
    return Status::ok();
  });
  Recorder recorder;
  auto idle = record("memory", "memory-1", recorder);
  publishEvent(1);
  ASSERT_TRUE(waitUntil([&] { return in_handler.load(); }));

  std::thread releaser([&] { release = true; });
  bus_.reset();  // joins the subscription threads once the running handler returns
  releaser.join();
  EXPECT_TRUE(publish_during_shutdown.isOk()) << publish_during_shutdown.toString();
  // The subscriptions outlive the bus: draining reports without waiting, stopping is a no-op.
  EXPECT_FALSE(holding->drain(clock_.monotonic() + std::chrono::hours(1)));
  holding->stop();
  holding.reset();
  idle.reset();
}

}  // namespace
}  // namespace orion::bus
