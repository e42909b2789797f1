#include "guardian/guardian_metrics.h"

namespace orion::guardian {
namespace {

using contracts::EventSeverity;

constexpr std::array<EventSeverity, 4> kSeverities{EventSeverity::kInfo, EventSeverity::kWarning,
                                                   EventSeverity::kError, EventSeverity::kCritical};
constexpr std::array<std::string_view, 4> kIncidentTypes{
    "service_outage", "metric_anomaly", "edge_device_failure", "correlation_detected"};

constexpr std::string_view kOpenedHelp = "Incidents opened by the guardian, by incident type.";

}  // namespace

GuardianMetrics::GuardianMetrics(MetricsRegistry& registry)
    : registry_(registry),
      rejected_(registry.counter("orion_guardian_events_rejected_total",
                                 "Deliveries on the event stream that were not a readable event.")),
      publish_failures_(
          registry.counter("orion_guardian_publish_failures_total",
                           "Incident publishes the bus refused (the event is retried).")),
      updated_(registry.counter("orion_guardian_incidents_updated_total",
                                "Open incidents whose severity rose (update published).")),
      resolved_(registry.counter("orion_guardian_incidents_resolved_total",
                                 "Incidents resolved by a recovery event.")),
      absorbed_(registry.counter("orion_guardian_events_absorbed_total",
                                 "Events folded into an open incident without a publish.")),
      ignored_(registry.counter("orion_guardian_events_ignored_total",
                                "Info or recovery events that matched no open incident.")),
      duplicates_(registry.counter("orion_guardian_duplicates_total",
                                   "Events whose id was already processed (redeliveries).")),
      evicted_(registry.counter("orion_guardian_evicted_total",
                                "Open incidents forgotten to stay within max_open_incidents.")),
      open_(registry.gauge("orion_guardian_open_incidents", "Open incidents held now.")) {
  // Every label value is registered up front so dashboards see zeros rather than gaps.
  for (EventSeverity severity : kSeverities) {
    events_[static_cast<size_t>(severity)] =
        &registry.counter("orion_guardian_events_total", "Events processed, by severity.",
                          {{"severity", std::string(contracts::toString(severity))}});
  }
  for (std::string_view type : kIncidentTypes) {
    opened_.emplace(std::string(type),
                    &registry.counter("orion_guardian_incidents_opened_total", kOpenedHelp,
                                      {{"type", std::string(type)}}));
  }
}

void GuardianMetrics::record(const Correlation& c, size_t evicted, size_t open_count) {
  events_[static_cast<size_t>(c.event_severity)]->inc();
  switch (c.verdict) {
    case Verdict::kOpened: {
      const std::string& type = c.incident->incident_type;
      auto it = opened_.find(type);
      if (it == opened_.end()) {
        it = opened_
                 .emplace(type, &registry_.counter("orion_guardian_incidents_opened_total",
                                                   kOpenedHelp, {{"type", type}}))
                 .first;
      }
      it->second->inc();
      break;
    }
    case Verdict::kUpdated:
      updated_.inc();
      break;
    case Verdict::kResolved:
      resolved_.inc();
      break;
    case Verdict::kAbsorbed:
      absorbed_.inc();
      break;
    case Verdict::kDuplicate:
      duplicates_.inc();
      break;
    case Verdict::kIgnored:
      ignored_.inc();
      break;
  }
  if (evicted > 0) evicted_.inc(evicted);
  open_.set(static_cast<double>(open_count));
}

}  // namespace orion::guardian
