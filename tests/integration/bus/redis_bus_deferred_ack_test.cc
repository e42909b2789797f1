// Deferred acknowledgement (SubscribeOptions::before_ack, bus.h) on a real redis-server: what the
// handler accepted stays pending in Redis until before_ack() confirms it, and a failed
// confirmation makes each of those entries a failed attempt that is delivered again.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>

#include "redis_bus_fixture.h"

namespace orion::bus::testing {
namespace {

class RedisDeferredAckTest : public RedisBusTest {};

TEST_F(RedisDeferredAckTest, NothingIsAcknowledgedBeforeTheConfirmation) {
  auto bus = makeBus();
  ASSERT_TRUE(bus);
  std::mutex mutex;
  std::condition_variable changed;
  bool released = false;
  std::atomic<int> confirmations{0};
  SubscribeOptions subscribe{"event", "memory", "memory-1"};
  subscribe.before_ack = [&] {
    std::unique_lock lock(mutex);
    changed.wait(lock, [&] { return released; });
    ++confirmations;
    return Status::ok();
  };
  // The entries are in the stream before the consumer reads, so it takes them as one batch.
  cli({"XGROUP", "CREATE", "orion:events", "memory", "$", "MKSTREAM"});
  constexpr int kCount = 5;
  for (int i = 0; i < kCount; ++i) ASSERT_TRUE(bus->publish("event", event(clock_, i)).isOk());
  ASSERT_TRUE(waitUntil([&] { return xlen("orion:events") == kCount; }, 10s));
  Recorder recorder;
  auto subscription = bus->subscribe(subscribe, recorder.handler());
  ASSERT_TRUE(subscription.isOk()) << subscription.status().toString();

  ASSERT_TRUE(waitUntil([&] { return recorder.count() == kCount; }, 10s)) << recorder.count();
  // Handled, not confirmed: all of it is still pending for the group.
  EXPECT_EQ(cli({"XPENDING", "orion:events", "memory"}).substr(0, 1), "5");
  {
    std::lock_guard lock(mutex);
    released = true;
  }
  changed.notify_all();
  ASSERT_TRUE((*subscription)->drain(clock_.monotonic() + 10s));
  EXPECT_EQ(cli({"XPENDING", "orion:events", "memory"}).substr(0, 1), "0");
  EXPECT_GE(confirmations.load(), 1);
  EXPECT_EQ(recorder.count(), static_cast<size_t>(kCount));  // each handled once
}

TEST_F(RedisDeferredAckTest, AFailedConfirmationRedeliversWhatTheHandlerAccepted) {
  auto bus = makeBus();
  ASSERT_TRUE(bus);
  std::atomic<int> calls{0};
  SubscribeOptions subscribe{"event", "memory", "memory-1"};
  subscribe.before_ack = [&] {
    // The first confirmation fails, as a full disk would make memory's group commit fail.
    return ++calls == 1 ? unavailable("disk full") : Status::ok();
  };
  Recorder recorder;
  auto subscription = bus->subscribe(subscribe, recorder.handler());
  ASSERT_TRUE(subscription.isOk()) << subscription.status().toString();
  ASSERT_TRUE(bus->publish("event", event(clock_, 1)).isOk());

  ASSERT_TRUE(waitUntil([&] { return recorder.count() == 2; }, 10s)) << recorder.count();
  ASSERT_TRUE((*subscription)->drain(clock_.monotonic() + 10s));
  EXPECT_EQ(recorder.attempts(), (std::vector<int>{1, 2}));
  EXPECT_EQ(cli({"XPENDING", "orion:events", "memory"}).substr(0, 1), "0");
  EXPECT_EQ(cli({"XLEN", "orion:deadletters"}), "0");
}

}  // namespace
}  // namespace orion::bus::testing
