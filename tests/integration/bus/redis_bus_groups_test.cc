// Consumer groups on a real redis-server: consumers of one group share the load, a dead
// consumer's pending entries are taken over, a restarted module resumes from its group's
// position, new groups start at "$" (or "0" when configured), and the dedup window keeps a
// message delivered twice from reaching the handler twice, across a restart too.
#include <gtest/gtest.h>

#include <set>

#include "redis_bus_fixture.h"

namespace orion::bus::testing {
namespace {

class RedisGroupsTest : public RedisBusTest {};

TEST_F(RedisGroupsTest, TwoConsumersOfOneGroupSplitTheLoad) {
  MetricsRegistry other_metrics;
  auto bus_a = makeBus();
  // Another process on another host, as far as Redis can tell: its own node name and state.
  auto other = options();
  other.node = "node-b";
  other.state_dir = (dir_.path() / "node-b" / "bus").string();
  auto bus_b = makeBus(other, other_metrics);
  ASSERT_TRUE(bus_a && bus_b);
  Recorder a, b;
  // A slow handler makes both consumers take part even on a fast machine.
  auto slow = [](Recorder& r) {
    return [&r](const Delivery& d) {
      std::this_thread::sleep_for(2ms);
      return r.add(d);
    };
  };
  auto sub_a = bus_a->subscribe({"event", "guardian", "guardian-1"}, slow(a));
  auto sub_b = bus_b->subscribe({"event", "guardian", "guardian-1"}, slow(b));
  ASSERT_TRUE(sub_a.isOk()) << sub_a.status().toString();
  ASSERT_TRUE(sub_b.isOk()) << sub_b.status().toString();
  constexpr int kCount = 200;
  for (int i = 0; i < kCount; ++i) {
    ASSERT_TRUE(bus_a->publish("event", event(clock_, i)).isOk());
  }
  ASSERT_TRUE(waitUntil([&] { return a.count() + b.count() == kCount; }, 20s))
      << a.count() << " + " << b.count();
  ASSERT_TRUE((*sub_a)->drain(clock_.monotonic() + 5s));
  EXPECT_GT(a.count(), 0u);
  EXPECT_GT(b.count(), 0u);
  std::set<std::string> ids;
  for (auto* r : {&a, &b}) {
    for (auto& [id, n] : r->byId()) {
      EXPECT_EQ(n, 1) << id;
      ids.insert(id);
    }
  }
  EXPECT_EQ(ids.size(), static_cast<size_t>(kCount));  // each exactly once, between them
}

TEST_F(RedisGroupsTest, EntriesLeftPendingByADeadConsumerAreTakenOverAndHandled) {
  // A consumer that read entries and died before acknowledging them: redis-cli reads them as
  // consumer "guardian-1@crashed" and never acks.
  cli({"XGROUP", "CREATE", "orion:events", "guardian", "$", "MKSTREAM"});
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    ids.push_back(cli({"XADD", "orion:events", "*", "data", dumpJson(event(clock_, i))}));
  }
  cli({"XREADGROUP", "GROUP", "guardian", "guardian-1@crashed", "COUNT", "10", "STREAMS",
       "orion:events", ">"});
  ASSERT_EQ(cli({"XPENDING", "orion:events", "guardian"}).substr(0, 1), "5");

  auto options = this->options();
  options.claim_idle = 300ms;
  auto bus = makeBus(options, metrics_);
  ASSERT_TRUE(bus);
  Recorder recorder;
  auto subscription = bus->subscribe({"event", "guardian", "guardian-1"}, recorder.handler());
  ASSERT_TRUE(subscription.isOk());
  ASSERT_TRUE(waitUntil([&] { return recorder.count() == 5; }, 10s)) << recorder.count();
  ASSERT_TRUE((*subscription)->drain(clock_.monotonic() + 5s));
  for (int attempt : recorder.attempts()) EXPECT_EQ(attempt, 2);  // delivered once before
  EXPECT_EQ(metrics_.read("orion_bus_reclaimed_total", {{"type", "event"}, {"group", "guardian"}}),
            5);
  EXPECT_EQ(cli({"XPENDING", "orion:events", "guardian"}).substr(0, 1), "0");
}

TEST_F(RedisGroupsTest, ARestartedModuleResumesFromItsGroupsPosition) {
  Recorder first;
  {
    auto bus = makeBus();
    ASSERT_TRUE(bus);
    auto subscription = bus->subscribe({"event", "guardian", "guardian-1"}, first.handler());
    ASSERT_TRUE(subscription.isOk());
    ASSERT_TRUE(bus->publish("event", event(clock_, 1)).isOk());
    ASSERT_TRUE(waitUntil([&] { return first.count() == 1; }));
    ASSERT_TRUE((*subscription)->drain(clock_.monotonic() + 5s));
  }
  // While the module is down, another process publishes.
  for (int i = 2; i <= 4; ++i) {
    cli({"XADD", "orion:events", "*", "data", dumpJson(event(clock_, i))});
  }
  MetricsRegistry metrics;
  auto bus = makeBus(options(), metrics);
  ASSERT_TRUE(bus);
  Recorder second;
  auto subscription = bus->subscribe({"event", "guardian", "guardian-1"}, second.handler());
  ASSERT_TRUE(subscription.isOk());
  ASSERT_TRUE(waitUntil([&] { return second.count() == 3; }));
  ASSERT_TRUE((*subscription)->drain(clock_.monotonic() + 5s));
  std::vector<int> seen;
  for (const Json& doc : second.documents()) seen.push_back(doc["data"]["n"].get<int>());
  EXPECT_EQ(seen, (std::vector<int>{2, 3, 4}));  // in order, and not the one handled before
}

TEST_F(RedisGroupsTest, ANewGroupStartsAtTheEndUnlessConfiguredToStartAtTheBeginning) {
  for (int i = 0; i < 3; ++i)
    cli({"XADD", "orion:events", "*", "data", dumpJson(event(clock_, i))});
  auto bus = makeBus();
  ASSERT_TRUE(bus);
  Recorder fresh;
  auto sub = bus->subscribe({"event", "newcomer", "n-1"}, fresh.handler());
  ASSERT_TRUE(sub.isOk());
  ASSERT_TRUE(bus->publish("event", event(clock_, 99)).isOk());
  ASSERT_TRUE(waitUntil([&] { return fresh.count() == 1; }));
  ASSERT_TRUE((*sub)->drain(clock_.monotonic() + 5s));
  EXPECT_EQ(fresh.documents()[0]["data"]["n"], 99);

  auto options = this->options();
  options.new_groups_from_beginning = true;
  MetricsRegistry metrics;
  auto replaying = makeBus(options, metrics);
  ASSERT_TRUE(replaying);
  Recorder all;
  auto sub_all = replaying->subscribe({"event", "archivist", "a-1"}, all.handler());
  ASSERT_TRUE(sub_all.isOk());
  ASSERT_TRUE(waitUntil([&] { return all.count() == 4; }));
}

TEST_F(RedisGroupsTest, AMessageDeliveredTwiceReachesTheHandlerOnceEvenAcrossARestart) {
  std::string text = dumpJson(event(clock_, 7));
  Recorder recorder;
  {
    auto bus = makeBus();
    ASSERT_TRUE(bus);
    auto subscription = bus->subscribe({"event", "guardian", "guardian-1"}, recorder.handler());
    ASSERT_TRUE(subscription.isOk());
    // The same bytes twice: what a publish resent after a broken connection looks like.
    cli({"XADD", "orion:events", "*", "data", text});
    cli({"XADD", "orion:events", "*", "data", text});
    ASSERT_TRUE(waitUntil([&] {
      return metrics_.read("orion_bus_duplicates_total",
                           {{"type", "event"}, {"group", "guardian"}}) == 1;
    }));
    ASSERT_TRUE((*subscription)->drain(clock_.monotonic() + 5s));
    EXPECT_EQ(recorder.count(), 1u);
  }
  // After a restart the window is read back from <state_dir>/bus/guardian.db.
  MetricsRegistry metrics;
  auto bus = makeBus(options(), metrics);
  ASSERT_TRUE(bus);
  auto subscription = bus->subscribe({"event", "guardian", "guardian-1"}, recorder.handler());
  ASSERT_TRUE(subscription.isOk());
  cli({"XADD", "orion:events", "*", "data", text});
  // A document republished on purpose under the same id (an update) is different: handled.
  Json update = parseJson(text).valueOr(Json());
  update["severity"] = "critical";
  cli({"XADD", "orion:events", "*", "data", dumpJson(update)});
  ASSERT_TRUE(waitUntil([&] { return recorder.count() == 2; }));
  ASSERT_TRUE((*subscription)->drain(clock_.monotonic() + 5s));
  EXPECT_EQ(recorder.count(), 2u);
  EXPECT_EQ(recorder.documents()[1]["severity"], "critical");
  EXPECT_EQ(metrics.read("orion_bus_duplicates_total", {{"type", "event"}, {"group", "guardian"}}),
            1);
}

TEST_F(RedisGroupsTest, TwoProcessesOfOneGroupCannotShareAStateDirectory) {
  MetricsRegistry other_metrics;
  auto bus_a = makeBus();
  auto bus_b = makeBus(options(), other_metrics);
  ASSERT_TRUE(bus_a && bus_b);
  Recorder recorder;
  ASSERT_TRUE(bus_a->subscribe({"event", "guardian", "guardian-1"}, recorder.handler()).isOk());
  auto second = bus_b->subscribe({"event", "guardian", "guardian-1"}, recorder.handler());
  ASSERT_FALSE(second.isOk());
  EXPECT_NE(second.status().message().find("another ORION process"), std::string::npos)
      << second.status().message();
}

TEST_F(RedisGroupsTest, TwoSubscriptionsWithOneConsumerNameAreRefused) {
  auto bus = makeBus();
  ASSERT_TRUE(bus);
  Recorder recorder;
  auto first = bus->subscribe({"event", "guardian", "guardian-1"}, recorder.handler());
  ASSERT_TRUE(first.isOk());
  auto second = bus->subscribe({"event", "guardian", "guardian-1"}, recorder.handler());
  EXPECT_EQ(second.status().code(), StatusCode::kAlreadyExists);
  (*first)->stop();
  first->reset();
  EXPECT_TRUE(bus->subscribe({"event", "guardian", "guardian-1"}, recorder.handler()).isOk());
}

}  // namespace
}  // namespace orion::bus::testing
