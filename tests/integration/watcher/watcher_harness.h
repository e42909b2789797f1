// Runs the real watcher (makeWatcher: registry, per-instance threads, bus publisher) on an
// embedded bus with the real clock, for one configured source instance, and collects every event
// it publishes. Shared by the watcher's integration tests.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "bus/bus.h"
#include "common/clock.h"
#include "common/json.h"
#include "common/metrics.h"
#include "common/service.h"
#include "config/config.h"

namespace orion::watcher::testing {

class WatcherHarness {
 public:
  WatcherHarness();
  ~WatcherHarness();

  // Starts a watcher with the host source off and `sources` configured.
  Status start(std::vector<config::SourceInstanceConfig> sources);
  void stop();

  // Events published so far (documents as on the bus).
  std::vector<Json> events();
  // Events of `event_type` whose data.service_name is `service`.
  std::vector<Json> eventsFor(const std::string& event_type, const std::string& service);
  // Waits (up to `timeout`) until eventsFor(...) has at least `count` entries.
  bool waitFor(const std::string& event_type, const std::string& service, size_t count = 1,
               std::chrono::milliseconds timeout = std::chrono::seconds(20));

  MetricsRegistry& metrics() { return metrics_; }
  const Clock& clock() const { return clock_; }

 private:
  RealClock clock_;
  MetricsRegistry metrics_;
  std::unique_ptr<bus::Bus> bus_;
  std::unique_ptr<bus::Subscription> subscription_;
  std::unique_ptr<Service> watcher_;
  std::mutex mutex_;
  std::vector<Json> events_;
};

template <typename Settings>
config::SourceInstanceConfig instance(std::string type, std::string name, Settings settings) {
  return config::SourceInstanceConfig{std::move(type), std::move(name), "test",
                                      std::move(settings)};
}

}  // namespace orion::watcher::testing
