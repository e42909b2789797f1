#include "watcher/bus_event_publisher.h"

#include "contracts/registry.h"

namespace orion::watcher {

BusEventPublisher::BusEventPublisher(bus::Bus& bus, MetricsRegistry& metrics, Logger logger,
                                     std::string instance,
                                     std::map<std::string, std::string> labels)
    : bus_(bus),
      metrics_(metrics),
      logger_(std::move(logger)),
      instance_(std::move(instance)),
      labels_(std::move(labels)),
      publish_errors_(metrics.counter("orion_watcher_publish_errors_total",
                                      "Events the bus refused; the state change is retried")) {}

Status BusEventPublisher::publish(const contracts::Event& event) {
  Json document = event.toJson();
  if (!labels_.empty()) {
    Json& tags = document["tags"];
    if (!tags.is_object()) tags = Json::object();
    for (const auto& [name, value] : labels_) {
      if (!tags.contains(name)) tags[name] = value;
    }
  }
  Result<std::string> entry = bus_.publish(contracts::type::kEvent, document);
  std::lock_guard lock(mutex_);
  if (!entry) {
    publish_errors_.inc();
    if (entry.status().message() != last_error_) {
      last_error_ = entry.status().message();
      logger_->error("publishing a {} event failed (will retry on the next sample): {}",
                     event.event_type, entry.status().toString());
    }
    return entry.status();
  }
  if (!last_error_.empty()) {
    last_error_.clear();
    logger_->info("publishing events works again");
  }
  // Registration is a map lookup under a lock; events are rare (state changes only), so caching
  // the counters per severity is not worth the code.
  metrics_
      .counter(
          "orion_watcher_events_total", "Events published by the watcher",
          {{"source", instance_}, {"severity", std::string(contracts::toString(event.severity))}})
      .inc();
  return Status::ok();
}

}  // namespace orion::watcher
