// Shared helpers for the embedded bus tests: a bus over the real embedded contracts with a
// SimulatedClock, valid documents, and a thread-safe recorder of deliveries.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "bus/bus.h"
#include "bus/embedded_bus.h"
#include "common/clock.h"
#include "common/ids.h"
#include "common/json.h"
#include "common/metrics.h"
#include "common/time.h"
#include "contracts/registry.h"
#include "testing/wait.h"

namespace orion::bus::testing {

using orion::testing::waitUntil;

// The embedded registry, compiled once for the whole test binary.
inline std::shared_ptr<const contracts::ContractRegistry> embeddedContracts() {
  static const auto registry = [] {
    auto loaded = contracts::ContractRegistry::loadEmbedded();
    EXPECT_TRUE(loaded.isOk()) << loaded.status().toString();
    return loaded.isOk() ? *loaded : nullptr;
  }();
  return registry;
}

// A valid event whose data carries `n`, so tests can tell messages apart.
inline Json makeEvent(const Clock& clock, int n, std::string severity = "warning") {
  return Json{{"version", "1.0"},
              {"event_id", newUuid()},
              {"timestamp", formatRfc3339(clock.now())},
              {"source", "orion-watcher-host"},
              {"event_type", "metric_threshold_exceeded"},
              {"severity", std::move(severity)},
              {"data", {{"n", n}}}};
}

inline Labels typeGroup(std::string type, std::string group) {
  return {{"type", std::move(type)}, {"group", std::move(group)}};
}

// What one handler saw, in order.
struct Seen {
  std::string entry_id;
  int attempt = 0;
  int n = -1;
};

class Recorder {
 public:
  void add(const Delivery& delivery) {
    std::lock_guard lock(mutex_);
    Seen seen{delivery.entry_id, delivery.attempt, -1};
    const Json& data = delivery.document->value("data", Json::object());
    if (data.contains("n")) seen.n = data["n"].get<int>();
    seen_.push_back(std::move(seen));
  }
  size_t count() const {
    std::lock_guard lock(mutex_);
    return seen_.size();
  }
  std::vector<Seen> seen() const {
    std::lock_guard lock(mutex_);
    return seen_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<Seen> seen_;
};

// A fixture owning a clock, a metrics registry and a bus over the embedded contracts.
class BusTest : public ::testing::Test {
 protected:
  void makeBus(EmbeddedBusOptions options = {}) {
    options_ = options;
    bus_ = makeEmbeddedBus(options, embeddedContracts(), clock_, metrics_);
  }
  void SetUp() override { makeBus(testOptions()); }

  // No redelivery delay unless a test asks for one, so retries need no clock movement.
  static EmbeddedBusOptions testOptions() {
    EmbeddedBusOptions options;
    options.redelivery_delay = Duration(0);
    options.max_deliveries = 3;
    return options;
  }

  std::unique_ptr<Subscription> subscribe(const std::string& type, const std::string& group,
                                          const std::string& consumer, Handler handler) {
    auto sub = bus_->subscribe({type, group, consumer}, std::move(handler));
    EXPECT_TRUE(sub.isOk()) << sub.status().toString();
    return sub.isOk() ? std::move(*sub) : nullptr;
  }

  std::unique_ptr<Subscription> record(const std::string& group, const std::string& consumer,
                                       Recorder& recorder, const std::string& type = "event") {
    return subscribe(type, group, consumer, [&recorder](const Delivery& d) {
      recorder.add(d);
      return Status::ok();
    });
  }

  std::string publishEvent(int n) {
    auto id = bus_->publish("event", makeEvent(clock_, n));
    EXPECT_TRUE(id.isOk()) << id.status().toString();
    return id.isOk() ? *id : "";
  }

  double metric(std::string_view name, const Labels& labels) const {
    return metrics_.read(name, labels);
  }

  // A deadline far enough away for any healthy wait; the clock is simulated, so drain() polls.
  MonoTime later() const { return clock_.monotonic() + std::chrono::hours(1); }

  SimulatedClock clock_;
  MetricsRegistry metrics_;
  EmbeddedBusOptions options_;
  std::unique_ptr<Bus> bus_;
};

}  // namespace orion::bus::testing
