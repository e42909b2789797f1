#include "watcher/watcher_service.h"

#include <gtest/gtest.h>

#include <future>
#include <mutex>

#include "bus/embedded_bus.h"
#include "common/ids.h"
#include "contracts/registry.h"
#include "fakes.h"
#include "testing/wait.h"
#include "watcher/watcher.h"

namespace orion::watcher {
namespace {

using orion::testing::waitUntil;

// A source that counts its samples, fails when told to and can publish an event.
class ScriptedSource final : public Source {
 public:
  ScriptedSource(SourceContext context, Duration interval, int* samples)
      : context_(std::move(context)), interval_(interval), samples_(samples) {}

  std::string_view type() const override { return "scripted"; }
  Duration interval() const override { return interval_; }
  Status sample(WallTime now) override {
    ++*samples_;
    if (fail) return invalidArgument("/fixture/file: line 7: expected a number");
    if (publish_source) {
      contracts::Event event;
      event.event_id = newUuid();
      event.timestamp = now;
      event.source = *publish_source;
      event.event_type = "service_down";
      event.severity = contracts::EventSeverity::kError;
      last_publish = context_.publisher.publish(event);
    }
    return Status::ok();
  }

  bool fail = false;
  std::optional<std::string> publish_source;
  Status last_publish;

 private:
  SourceContext context_;
  Duration interval_;
  int* samples_;
};

class WatcherServiceTest : public ::testing::Test {
 protected:
  WatcherServiceTest() {
    auto registry = contracts::ContractRegistry::loadEmbedded();
    EXPECT_TRUE(registry) << registry.status().toString();
    bus_ = bus::makeEmbeddedBus({}, *registry, clock_, metrics_);
  }

  ModuleContext context() { return ModuleContext{*bus_, clock_, metrics_, "node-a"}; }

  SourceSpec scripted(const std::string& instance, Duration interval, int* samples,
                      ScriptedSource** out = nullptr) {
    return SourceSpec{"scripted",
                      instance,
                      [=](SourceContext ctx) -> Result<std::unique_ptr<Source>> {
                        auto source =
                            std::make_unique<ScriptedSource>(std::move(ctx), interval, samples);
                        if (out) *out = source.get();
                        return std::unique_ptr<Source>(std::move(source));
                      },
                      {}};
  }

  // Collects every event published on the bus from now on.
  void collectEvents() {
    auto subscription =
        bus_->subscribe({"event", "test", "test-1"}, [this](const bus::Delivery& d) {
          std::lock_guard lock(mutex_);
          events_.push_back(*d.document);
          return Status::ok();
        });
    ASSERT_TRUE(subscription) << subscription.status().toString();
    subscription_ = std::move(subscription).value();
  }

  std::vector<Json> events() {
    std::lock_guard lock(mutex_);
    return events_;
  }

  SimulatedClock clock_;
  MetricsRegistry metrics_;
  std::unique_ptr<bus::Bus> bus_;
  std::unique_ptr<bus::Subscription> subscription_;
  std::mutex mutex_;
  std::vector<Json> events_;
};

TEST_F(WatcherServiceTest, EachSourceRunsOnItsOwnInterval) {
  int fast = 0;
  int slow = 0;
  WatcherService service(context());
  service.addSource(scripted("fast", std::chrono::seconds(10), &fast));
  service.addSource(scripted("slow", std::chrono::seconds(25), &slow));
  MonoTime t0 = clock_.monotonic();
  using std::chrono::seconds;

  EXPECT_EQ(service.runDue(t0), t0 + seconds(10)) << "everything samples at start";
  EXPECT_EQ(fast, 1);
  EXPECT_EQ(slow, 1);
  EXPECT_EQ(service.runDue(t0 + seconds(5)), t0 + seconds(10)) << "nothing due yet";
  EXPECT_EQ(fast, 1);
  EXPECT_EQ(service.runDue(t0 + seconds(10)), t0 + seconds(20));
  EXPECT_EQ(service.runDue(t0 + seconds(21)), t0 + seconds(25)) << "cadence kept despite lateness";
  EXPECT_EQ(service.runDue(t0 + seconds(25)), t0 + seconds(30));
  EXPECT_EQ(fast, 3);
  EXPECT_EQ(slow, 2);
  EXPECT_EQ(metrics_.read("orion_watcher_samples_total", {{"source", "fast"}}), 3);
  EXPECT_EQ(metrics_.read("orion_watcher_samples_total", {{"source", "slow"}}), 2);
  EXPECT_EQ(metrics_.read("orion_watcher_sample_duration_seconds", {{"source", "fast"}}), 3);

  // After a long stall one sample runs, not a burst of catch-up samples.
  EXPECT_EQ(service.runDue(t0 + seconds(100)), t0 + seconds(110));
  EXPECT_EQ(fast, 4);
}

TEST_F(WatcherServiceTest, SampleErrorsAreCountedAndSamplingContinues) {
  int samples = 0;
  ScriptedSource* source = nullptr;
  WatcherService service(context());
  service.addSource(scripted("flaky", std::chrono::seconds(1), &samples, &source));
  MonoTime t = clock_.monotonic();
  source->fail = true;
  for (int i = 0; i < 3; ++i) t = service.runDue(t);
  source->fail = false;
  t = service.runDue(t);
  EXPECT_EQ(samples, 4);
  EXPECT_EQ(metrics_.read("orion_watcher_sample_errors_total", {{"source", "flaky"}}), 3);
  EXPECT_EQ(metrics_.read("orion_watcher_samples_total", {{"source", "flaky"}}), 4);
}

TEST_F(WatcherServiceTest, ASourceThatCannotBeBuiltFailsStart) {
  WatcherService service(context());
  service.addSource(SourceSpec{"broken",
                               "broken-1",
                               [](SourceContext) -> Result<std::unique_ptr<Source>> {
                                 return invalidArgument("bad socket path");
                               },
                               {}});
  Status status = service.start();
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "watcher source 'broken-1': bad socket path");
}

TEST_F(WatcherServiceTest, PublishesThroughTheBusAndCountsRefusals) {
  collectEvents();
  int samples = 0;
  ScriptedSource* source = nullptr;
  WatcherService service(context());
  service.addSource(scripted("probe", std::chrono::seconds(1), &samples, &source));

  source->publish_source = "orion-watcher-probe";
  MonoTime t = service.runDue(clock_.monotonic());
  ASSERT_TRUE(source->last_publish.isOk()) << source->last_publish.toString();
  EXPECT_EQ(
      metrics_.read("orion_watcher_events_total", {{"source", "probe"}, {"severity", "error"}}), 1);

  source->publish_source = "NOT A VALID SOURCE";
  service.runDue(t);
  EXPECT_EQ(source->last_publish.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(metrics_.read("orion_watcher_publish_errors_total"), 1);

  ASSERT_TRUE(waitUntil([&] { return events().size() == 1; }));
  EXPECT_EQ(events()[0]["source"], "orion-watcher-probe");
}

TEST_F(WatcherServiceTest, HostWatcherPublishesAThresholdEventAndStopsAtOnce) {
  collectEvents();
  config::WatcherConfig config;
  config.host.proc_root = testing::fixtureRoot("normal") + "/proc";
  config.host.interval = std::chrono::hours(1);
  config.host.mounts = {"/"};  // statvfs on the real root; its threshold is out of reach
  config.host.disk_percent = {};
  config.host.memory_percent = {70.0, 90.0};  // the fixture uses 75 %
  config.host.swap_percent = {};
  config.host.temperature_celsius = {};
  config.host.fire_after = 1;  // the thread samples once, then waits an hour
  std::unique_ptr<Service> watcher = makeWatcher(config, context());
  EXPECT_EQ(watcher->name(), "watcher");
  ASSERT_TRUE(watcher->start().isOk());

  ASSERT_TRUE(waitUntil([&] { return !events().empty(); }));
  // The sampling thread now waits for an hour; stop() must not.
  auto stopped = std::async(std::launch::async, [&] { watcher->stop(clock_.monotonic()); });
  EXPECT_EQ(stopped.wait_for(std::chrono::seconds(10)), std::future_status::ready);

  std::vector<Json> seen = events();
  ASSERT_EQ(seen.size(), 1u);
  const Json& event = seen[0];
  EXPECT_EQ(event["source"], "orion-watcher-host");
  EXPECT_EQ(event["event_type"], "metric_threshold_exceeded");
  EXPECT_EQ(event["severity"], "warning");
  EXPECT_EQ(event["data"]["node"], "node-a");
  EXPECT_EQ(event["data"]["resource"], "memory");
  EXPECT_EQ(event["data"]["value"], 75.0);
  EXPECT_EQ(event["data"]["threshold"], 70.0);
  EXPECT_EQ(event["tags"]["node"], "node-a");
  EXPECT_EQ(metrics_.read("orion_watcher_samples_total", {{"source", "host"}}), 1);
  EXPECT_EQ(
      metrics_.read("orion_watcher_events_total", {{"source", "host"}, {"severity", "warning"}}),
      1);
  EXPECT_EQ(metrics_.read("orion_watcher_host_memory_percent"), 75.0);
}

TEST_F(WatcherServiceTest, NoEnabledSourceStartsAndStopsCleanly) {
  config::WatcherConfig config;
  config.host.enabled = false;
  std::unique_ptr<Service> watcher = makeWatcher(config, context());
  ASSERT_TRUE(watcher->start().isOk());
  watcher->stop(clock_.monotonic());
  watcher->stop(clock_.monotonic());  // idempotent
  EXPECT_EQ(metrics_.read("orion_watcher_samples_total", {{"source", "host"}}), -1);
}

}  // namespace
}  // namespace orion::watcher
