// Concurrency stress for the embedded bus: several publishers, two groups of two consumers,
// handlers that fail some first attempts, and a small bound. Every message must be accounted
// for exactly once per group.
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <thread>

#include "bus_test_support.h"

namespace orion::bus {
namespace {

using testing::BusTest;
using testing::makeEvent;
using testing::typeGroup;

constexpr int kPublishers = 2;
constexpr int kPerPublisher = 10000;
constexpr int kMessages = kPublishers * kPerPublisher;

class EmbeddedBusStressTest : public BusTest {
 protected:
  struct GroupState {
    std::array<std::atomic<int>, kMessages> handled{};
    std::vector<std::unique_ptr<Subscription>> subs;
  };

  // Subscribes two consumers to `group`; each fails the first attempt of every 7th message.
  void consume(const std::string& group, GroupState& state) {
    for (int c = 1; c <= 2; ++c) {
      state.subs.push_back(
          subscribe("event", group, group + "-" + std::to_string(c), [&state](const Delivery& d) {
            int n = (*d.document)["data"]["n"].get<int>();
            if (n % 7 == 0 && d.attempt == 1) {
              return unavailable("first attempt fails");
            }
            state.handled[n].fetch_add(1);
            return Status::ok();
          }));
    }
  }

  void publishAll() {
    std::vector<std::thread> publishers;
    for (int p = 0; p < kPublishers; ++p) {
      publishers.emplace_back([this, p] {
        for (int i = 0; i < kPerPublisher; ++i) {
          auto id = bus_->publish("event", makeEvent(clock_, p * kPerPublisher + i));
          ASSERT_TRUE(id.isOk()) << id.status().toString();
        }
      });
    }
    for (auto& publisher : publishers) publisher.join();
  }

  void drainAll(GroupState& state) {
    for (auto& sub : state.subs) ASSERT_TRUE(sub->drain(later()));
  }

  int handledTotal(const GroupState& state, int times) const {
    int total = 0;
    for (const auto& count : state.handled) total += count.load() == times ? 1 : 0;
    return total;
  }
};

TEST_F(EmbeddedBusStressTest, BlockingBoundLosesNothingAndDuplicatesNothing) {
  EmbeddedBusOptions options = testOptions();
  options.max_stream_length = 64;
  options.when_full = WhenFull::kBlock;
  options.block_timeout = std::chrono::seconds(60);
  makeBus(options);
  auto guardian = std::make_unique<GroupState>();
  auto memory = std::make_unique<GroupState>();
  consume("guardian", *guardian);
  consume("memory", *memory);
  publishAll();
  drainAll(*guardian);
  drainAll(*memory);

  int retried = (kMessages + 6) / 7;
  for (const char* group : {"guardian", "memory"}) {
    const GroupState& state = std::string(group) == "guardian" ? *guardian : *memory;
    EXPECT_EQ(handledTotal(state, 1), kMessages) << group << ": each message handled once";
    EXPECT_EQ(metric("orion_bus_acked_total", typeGroup("event", group)), kMessages);
    EXPECT_EQ(metric("orion_bus_redelivered_total", typeGroup("event", group)), retried);
    EXPECT_EQ(metric("orion_bus_dropped_total", typeGroup("event", group)), 0);
    EXPECT_EQ(metric("orion_bus_group_lag", typeGroup("event", group)), 0);
  }
  EXPECT_EQ(metric("orion_bus_published_total", {{"type", "event"}}), kMessages);
  EXPECT_EQ(metric("orion_bus_publish_rejected_total", {{"type", "event"}}), 0);
  EXPECT_EQ(metric("orion_bus_stream_length", {{"type", "event"}}), 0);
}

TEST_F(EmbeddedBusStressTest, DroppingBoundAccountsForEveryMessage) {
  EmbeddedBusOptions options = testOptions();
  options.max_stream_length = 16;
  options.when_full = WhenFull::kDropOldest;
  makeBus(options);
  auto guardian = std::make_unique<GroupState>();
  consume("guardian", *guardian);
  publishAll();
  drainAll(*guardian);

  // Handled once, dropped unread, or dead-lettered after being trimmed while failing: never
  // twice, never unaccounted.
  EXPECT_EQ(handledTotal(*guardian, 0) + handledTotal(*guardian, 1), kMessages);
  double dropped = metric("orion_bus_dropped_total", typeGroup("event", "guardian"));
  double trimmed = metric("orion_bus_deadlettered_total",
                          {{"type", "event"}, {"group", "guardian"}, {"reason", "trimmed"}});
  EXPECT_EQ(handledTotal(*guardian, 1) + dropped + trimmed, kMessages)
      << "handled " << handledTotal(*guardian, 1) << " dropped " << dropped << " trimmed "
      << trimmed;
  EXPECT_LE(metric("orion_bus_stream_length", {{"type", "event"}}), 16);
}

}  // namespace
}  // namespace orion::bus
