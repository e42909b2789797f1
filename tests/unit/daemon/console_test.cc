#include "daemon/console.h"

#include <gtest/gtest.h>

#include <sstream>

#include "bus/embedded_bus.h"
#include "common/ids.h"
#include "contracts/documents.h"
#include "contracts/registry.h"
#include "testing/wait.h"

namespace orion::daemon {
namespace {

using namespace std::chrono_literals;

class ConsoleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto contracts = contracts::ContractRegistry::loadEmbedded();
    ASSERT_TRUE(contracts.isOk()) << contracts.status().toString();
    bus_ = bus::makeEmbeddedBus({}, *contracts, clock_, metrics_);
  }

  std::unique_ptr<Console> makeConsole() {
    return std::make_unique<Console>(
        ModuleContext{*bus_, clock_, metrics_, "node-a"},
        ConsoleHeader{"node-a", "N0", "embedded", "/tmp/s", "/tmp/s/audit/audit.jsonl"}, out_, 10s);
  }

  contracts::Event warningEvent() {
    contracts::Event event;
    event.event_id = newUuid();
    event.timestamp = clock_.now();
    event.source = "orion-watcher-host";
    event.event_type = "metric_threshold_exceeded";
    event.severity = contracts::EventSeverity::kWarning;
    event.data = {{"metric", "disk_used_percent"},
                  {"resource", "/"},
                  {"value", 93.1},
                  {"unit", "percent"},
                  {"threshold", 90},
                  {"level", "warning"}};
    event.tags = {{"node", "node-a"}};
    return event;
  }

  SimulatedClock clock_;
  MetricsRegistry metrics_;
  std::unique_ptr<bus::Bus> bus_;
  // Written by the console's bus threads; the tests read it only once the console has
  // acknowledged what they published (or from the thread that calls tick()).
  std::ostringstream out_;
};

TEST_F(ConsoleTest, PrintsTheHeaderThenOneLinePerDocument) {
  auto console = makeConsole();
  ASSERT_TRUE(console->start().isOk());
  EXPECT_NE(out_.str().find("ORION on node-a"), std::string::npos);

  ASSERT_TRUE(bus_->publish("event", warningEvent().toJson()).isOk());
  ASSERT_TRUE(testing::waitUntil([&] { return bus_->backlog("event", "console-node-a").empty(); }));
  console->stop(clock_.monotonic());
  EXPECT_NE(out_.str().find("EVENT    warning  disk_used_percent / = 93.1% (≥ 90 warning)"),
            std::string::npos)
      << out_.str();
}

TEST_F(ConsoleTest, IsAConsumerGroupOfItsOwnOnEveryShownStream) {
  auto console = makeConsole();
  ASSERT_TRUE(console->start().isOk());
  ASSERT_TRUE(bus_->publish("event", warningEvent().toJson()).isOk());
  // Other groups are unaffected by the console: a group created now has nothing to read.
  EXPECT_TRUE(bus_->backlog("event", "guardian").empty());
  ASSERT_TRUE(testing::waitUntil([&] { return bus_->backlog("event", "console-node-a").empty(); }));
  EXPECT_GE(
      metrics_.read("orion_bus_acked_total", {{"type", "event"}, {"group", "console-node-a"}}), 1);
}

TEST_F(ConsoleTest, StatusLineEveryIntervalOnTick) {
  auto console = makeConsole();
  ASSERT_TRUE(console->start().isOk());
  auto statusLines = [&] {
    std::string text = out_.str();
    size_t count = 0;
    for (size_t pos = text.find("STATUS"); pos != std::string::npos;
         pos = text.find("STATUS", pos + 1)) {
      ++count;
    }
    return count;
  };
  console->tick();
  EXPECT_EQ(statusLines(), 0u);
  clock_.advance(9s);
  console->tick();
  EXPECT_EQ(statusLines(), 0u);
  clock_.advance(1s);
  console->tick();
  EXPECT_EQ(statusLines(), 1u);
  console->tick();
  EXPECT_EQ(statusLines(), 1u);
  clock_.advance(10s);
  console->tick();
  EXPECT_EQ(statusLines(), 2u);
}

TEST_F(ConsoleTest, StopPrintsTheTotalsOnceAndUnsubscribes) {
  auto console = makeConsole();
  ASSERT_TRUE(console->start().isOk());
  console->stop(clock_.monotonic());
  console->stop(clock_.monotonic());
  std::string text = out_.str();
  size_t first = text.find("STATUS");
  ASSERT_NE(first, std::string::npos);
  EXPECT_EQ(text.find("STATUS", first + 1), std::string::npos);
  ASSERT_TRUE(bus_->publish("event", warningEvent().toJson()).isOk());
  EXPECT_EQ(out_.str().find("EVENT"), std::string::npos);
}

}  // namespace
}  // namespace orion::daemon
