#include "guardian/guardian_metrics.h"

namespace orion::guardian {
namespace {

using contracts::EventSeverity;

constexpr std::array<EventSeverity, 4> kSeverities{EventSeverity::kInfo, EventSeverity::kWarning,
                                                   EventSeverity::kError, EventSeverity::kCritical};
constexpr std::array<std::string_view, 3> kSingleTypes{"service_outage", "metric_anomaly",
                                                       "edge_device_failure"};

constexpr std::string_view kOpenedHelp = "Incidents opened for one condition, by incident type.";

}  // namespace

GuardianMetrics::GuardianMetrics(MetricsRegistry& r)
    : registry_(r),
      rejected_(r.counter("orion_guardian_events_rejected_total",
                          "Deliveries on the event stream that were not a readable event.")),
      publish_failures_(r.counter("orion_guardian_publish_failures_total",
                                  "Incident publishes the bus refused (kept, retried).")),
      outbox_full_(r.counter("orion_guardian_outbox_full_total",
                             "Events refused while too many incidents waited to be published.")),
      state_write_failures_(r.counter("orion_guardian_state_write_failures_total",
                                      "Guardian state writes that failed (retried).")),
      flapping_(r.counter("orion_guardian_flapping_total",
                          "Events that opened or grew a repeated_failures incident.")),
      grouped_(r.counter("orion_guardian_grouped_total",
                         "Events that opened or joined a correlation_detected incident.")),
      updated_(r.counter("orion_guardian_incidents_updated_total",
                         "Incident updates published (severity raised, absorbed events).")),
      resolved_(
          r.counter("orion_guardian_incidents_resolved_total", "Incident resolutions published.")),
      absorbed_(r.counter("orion_guardian_events_absorbed_total",
                          "Events folded into an open incident.")),
      ignored_(r.counter("orion_guardian_events_ignored_total",
                         "Info or recovery events that matched no open condition.")),
      duplicates_(r.counter("orion_guardian_duplicates_total",
                            "Events whose id was already processed (redeliveries).")),
      open_(r.gauge("orion_guardian_open_incidents", "Open incidents held now.")),
      conditions_(r.gauge("orion_guardian_conditions", "Fingerprints held now (open, resolved).")),
      outbox_(r.gauge("orion_guardian_outbox_pending", "Incidents not yet published.")),
      bounds_{{
          {&r.counter("orion_guardian_evicted_total",
                      "Open incidents forgotten to stay within max_open_incidents."),
           &Counters::evicted_incidents},
          {&r.counter("orion_guardian_fingerprints_expired_total",
                      "Resolved fingerprints forgotten after flap_window."),
           &Counters::expired_fingerprints},
          {&r.counter("orion_guardian_fingerprints_evicted_total",
                      "Resolved fingerprints dropped early (max_resolved_fingerprints)."),
           &Counters::evicted_fingerprints},
          {&r.counter("orion_guardian_event_ids_forgotten_total",
                      "Event ids dropped from the redelivery memory (max_remembered_events)."),
           &Counters::forgotten_event_ids},
          {&r.counter("orion_guardian_event_ids_truncated_total",
                      "Event ids left out of an incident document (its bound)."),
           &Counters::truncated_event_ids},
          {&r.counter("orion_guardian_group_members_truncated_total",
                      "Conditions left out of a node group (its bound)."),
           &Counters::truncated_members},
      }} {
  // Every label value is registered up front so dashboards see zeros rather than gaps.
  for (EventSeverity severity : kSeverities) {
    events_[static_cast<size_t>(severity)] =
        &r.counter("orion_guardian_events_total", "Events processed, by severity.",
                   {{"severity", std::string(contracts::toString(severity))}});
  }
  for (std::string_view type : kSingleTypes) {
    opened_.emplace(std::string(type), &r.counter("orion_guardian_incidents_opened_total",
                                                  kOpenedHelp, {{"type", std::string(type)}}));
  }
}

void GuardianMetrics::record(const Correlation& c) {
  events_[static_cast<size_t>(c.event_severity)]->inc();
  switch (c.verdict) {
    case Verdict::kOpened: {
      const std::string& type = c.incidents.front()->incident_type;
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
    case Verdict::kFlapping:
      flapping_.inc();
      break;
    case Verdict::kGrouped:
      grouped_.inc();
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
    case Verdict::kUpdated:
    case Verdict::kResolved:
      break;  // counted per published document
  }
}

void GuardianMetrics::recordPublished(const contracts::Incident& incident, bool opened) {
  if (incident.state == contracts::IncidentState::kResolved) {
    resolved_.inc();
  } else if (!opened) {
    updated_.inc();
  }
}

void GuardianMetrics::recordState(const Correlator& correlator, size_t outbox) {
  for (Bound& bound : bounds_) {
    uint64_t now = correlator.counters().*bound.field;
    if (now > bound.seen) bound.counter->inc(now - bound.seen);
    bound.seen = now;
  }
  open_.set(static_cast<double>(correlator.openCount()));
  conditions_.set(static_cast<double>(correlator.conditionCount()));
  outbox_.set(static_cast<double>(outbox));
}

}  // namespace orion::guardian
