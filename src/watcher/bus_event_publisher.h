// The EventPublisher the watcher gives each source instance: adds the instance's configured
// labels to the event's tags (a tag the source set wins), publishes to the bus's `event` stream
// and counts what happened, labelled with the instance name.
//
// Metrics: orion_watcher_events_total{source,severity} for each accepted event and
// orion_watcher_publish_errors_total for each refused one. A refusal is logged when it starts and
// when the error changes, not on every retry, so a bus outage does not flood the log.
//
// Thread-safe: a source may publish from its sampling thread and from a thread of its own.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "bus/bus.h"
#include "common/logging.h"
#include "common/metrics.h"
#include "watcher/source.h"

namespace orion::watcher {

class BusEventPublisher final : public EventPublisher {
 public:
  BusEventPublisher(bus::Bus& bus, MetricsRegistry& metrics, Logger logger, std::string instance,
                    std::map<std::string, std::string> labels = {});

  Status publish(const contracts::Event& event) override;

 private:
  bus::Bus& bus_;
  MetricsRegistry& metrics_;
  Logger logger_;
  std::string instance_;
  std::map<std::string, std::string> labels_;
  Counter& publish_errors_;
  std::mutex mutex_;
  std::string last_error_;  // "" while publishing works; guarded by mutex_
};

}  // namespace orion::watcher
