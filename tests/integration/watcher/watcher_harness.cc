#include "watcher_harness.h"

#include "bus/embedded_bus.h"
#include "contracts/registry.h"
#include "testing/wait.h"
#include "watcher/watcher.h"

namespace orion::watcher::testing {

WatcherHarness::WatcherHarness() {
  auto registry = contracts::ContractRegistry::loadEmbedded();
  bus_ = bus::makeEmbeddedBus({}, *registry, clock_, metrics_);
}

WatcherHarness::~WatcherHarness() { stop(); }

Status WatcherHarness::start(std::vector<config::SourceInstanceConfig> sources) {
  auto subscription = bus_->subscribe({"event", "test", "test-1"}, [this](const bus::Delivery& d) {
    std::lock_guard lock(mutex_);
    events_.push_back(*d.document);
    return Status::ok();
  });
  if (!subscription) return subscription.status();
  subscription_ = std::move(subscription).value();
  config::WatcherConfig config;
  config.host.enabled = false;
  config.sources = std::move(sources);
  watcher_ = makeWatcher(config, ModuleContext{*bus_, clock_, metrics_, "node-t"});
  return watcher_->start();
}

void WatcherHarness::stop() {
  if (watcher_) watcher_->stop(clock_.monotonic() + std::chrono::seconds(5));
  watcher_.reset();
  if (subscription_) subscription_->stop();
  subscription_.reset();
}

std::vector<Json> WatcherHarness::events() {
  std::lock_guard lock(mutex_);
  return events_;
}

std::vector<Json> WatcherHarness::eventsFor(const std::string& event_type,
                                            const std::string& service) {
  std::vector<Json> matching;
  for (const Json& event : events()) {
    if (event.value("event_type", "") == event_type &&
        event["data"].value("service_name", "") == service) {
      matching.push_back(event);
    }
  }
  return matching;
}

bool WatcherHarness::waitFor(const std::string& event_type, const std::string& service,
                             size_t count, std::chrono::milliseconds timeout) {
  return orion::testing::waitUntil([&] { return eventsFor(event_type, service).size() >= count; },
                                   timeout);
}

}  // namespace orion::watcher::testing
