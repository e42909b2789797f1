// Deferred acknowledgement (SubscribeOptions::before_ack): accepted deliveries are acknowledged
// only after before_ack() confirms them, and a failed confirmation redelivers them.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>

#include "bus_test_support.h"

namespace orion::bus {
namespace {

using testing::BusTest;
using testing::waitUntil;

class DeferredAckTest : public BusTest {
 protected:
  std::unique_ptr<Subscription> subscribeDeferred(Handler handler,
                                                  std::function<Status()> before_ack) {
    SubscribeOptions options{"event", "memory", "memory-1"};
    options.before_ack = std::move(before_ack);
    auto sub = bus_->subscribe(options, std::move(handler));
    EXPECT_TRUE(sub.isOk()) << sub.status().toString();
    return sub.isOk() ? std::move(*sub) : nullptr;
  }
};

TEST_F(DeferredAckTest, NothingIsAcknowledgedUntilBeforeAckReturns) {
  std::mutex gate;
  gate.lock();  // before_ack blocks until the test unlocks it
  std::atomic<int> handled{0};
  std::atomic<int> confirmations{0};
  auto sub = subscribeDeferred(
      [&](const Delivery&) {
        ++handled;
        return Status::ok();
      },
      [&] {
        std::lock_guard wait(gate);
        ++confirmations;
        return Status::ok();
      });
  for (int i = 0; i < 5; ++i) publishEvent(i);
  ASSERT_TRUE(waitUntil([&] { return handled >= 1; }));
  EXPECT_GE(bus_->backlog("event", "memory").pending, 1u) << "handled but not yet confirmed";
  EXPECT_EQ(confirmations, 0);
  gate.unlock();
  ASSERT_TRUE(sub->drain(later()));
  EXPECT_EQ(handled, 5);
  EXPECT_GE(confirmations, 1);
  EXPECT_LE(confirmations, 5) << "one confirmation per batch, not necessarily per message";
}

TEST_F(DeferredAckTest, AFailedConfirmationRedeliversTheAcceptedMessages) {
  std::mutex mutex;
  std::multiset<int> seen;
  std::atomic<int> calls{0};
  auto sub = subscribeDeferred(
      [&](const Delivery& d) {
        std::lock_guard lock(mutex);
        seen.insert(d.document->at("data").at("n").get<int>());
        return Status::ok();
      },
      [&] {
        // The first confirmation fails (as memory's does when it stops before the batch is
        // durable); the bus must treat that like a failed handler.
        return ++calls == 1 ? Status(StatusCode::kInvalidArgument, "not durable") : Status::ok();
      });
  publishEvent(1);
  ASSERT_TRUE(sub->drain(later()));
  std::lock_guard lock(mutex);
  EXPECT_EQ(seen.count(1), 2u) << "delivered again after the failed confirmation";
  EXPECT_EQ(metric("orion_bus_redelivered_total", testing::typeGroup("event", "memory")), 1);
  EXPECT_EQ(metric("orion_bus_deadlettered_total",
                   {{"type", "event"}, {"group", "memory"}, {"reason", "poison"}}),
            0)
      << "a failed confirmation is retryable even when its code says invalid";
}

TEST_F(DeferredAckTest, RejectedMessagesAreNotConfirmed) {
  std::atomic<int> confirmations{0};
  auto sub = subscribeDeferred(
      [&](const Delivery&) { return Status(StatusCode::kInvalidArgument, "never valid"); },
      [&] {
        ++confirmations;
        return Status::ok();
      });
  publishEvent(1);
  ASSERT_TRUE(sub->drain(later()));
  EXPECT_EQ(confirmations, 0) << "nothing was accepted, so nothing needed confirming";
}

}  // namespace
}  // namespace orion::bus
