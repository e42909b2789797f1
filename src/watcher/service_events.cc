#include "watcher/service_events.h"

#include "common/ids.h"

namespace orion::watcher {

contracts::Event makeServiceEvent(std::string_view source, std::string_view node, bool down,
                                  std::string_view service_name, contracts::EventSeverity severity,
                                  const Json& details, WallTime now, std::string_view down_type,
                                  std::string_view up_type) {
  contracts::Event event;
  event.event_id = newUuid();
  event.timestamp = now;
  event.source = std::string(source);
  event.event_type = std::string(down ? down_type : up_type);
  event.severity = severity;
  event.data =
      Json{{"node", node}, {"service_name", service_name}, {"state", down ? "down" : "up"}};
  if (details.is_object()) {
    for (const auto& [key, value] : details.items()) {
      if (!event.data.contains(key)) event.data[key] = value;
    }
  }
  event.tags = {{"node", std::string(node)}};
  return event;
}

ProbeReporter::ProbeReporter(std::string event_source, SourceContext& context,
                             std::string service_name, int64_t fire_after, int64_t clear_after)
    : event_source_(std::move(event_source)),
      context_(context),
      service_name_(std::move(service_name)),
      debouncer_(fire_after, clear_after),
      up_(context.metrics.gauge("orion_watcher_probe_up",
                                "1 while the probe's service is up, 0 once it is announced down",
                                {{"source", context.instance}})) {
  up_.set(-1);
}

void ProbeReporter::setLatency(Duration latency) {
  if (latency_ == nullptr) {
    latency_ =
        &context_.metrics.gauge("orion_watcher_probe_latency_seconds",
                                "How long the last probe took", {{"source", context_.instance}});
  }
  latency_->set(std::chrono::duration<double>(latency).count());
}

std::string serviceNameOf(const config::ProbeCommonConfig& config, const SourceContext& context) {
  return config.service_name.empty() ? context.instance : config.service_name;
}

Status ProbeReporter::report(bool ok, Json details, WallTime now) {
  consecutive_failures_ = ok ? 0 : consecutive_failures_ + 1;
  std::optional<int> due = debouncer_.observe(ok ? 0 : 1);
  if (!due) {
    if (up_.value() < 0) up_.set(down() ? 0 : 1);
    return Status::ok();
  }
  bool going_down = *due == 1;
  if (!details.is_object()) details = Json::object();
  details["consecutive_failures"] = consecutive_failures_;
  contracts::Event event = makeServiceEvent(
      event_source_, context_.node, going_down, service_name_,
      going_down ? contracts::EventSeverity::kError : contracts::EventSeverity::kInfo, details, now,
      down_type_, up_type_);
  Status published = context_.publisher.publish(event);
  if (!published) return published;
  debouncer_.announce(*due);
  up_.set(going_down ? 0 : 1);
  if (going_down) {
    context_.logger->warn("{} is down: {}", service_name_, details.value("error", "probe failed"));
  } else {
    context_.logger->info("{} is up again", service_name_);
  }
  return Status::ok();
}

}  // namespace orion::watcher
