// The guardian's metrics, declared in one place. Built once at start from the registry; record()
// is called on the guardian's subscription thread after each committed event.
//
//   orion_guardian_events_total{severity}          events processed (duplicates included)
//   orion_guardian_incidents_opened_total{type}    incidents opened, by incident_type
//   orion_guardian_incidents_updated_total         severity raises published
//   orion_guardian_incidents_resolved_total        incidents resolved by a recovery event
//   orion_guardian_events_absorbed_total           events folded into an open incident silently
//   orion_guardian_events_ignored_total            info/recovery events with no open incident
//   orion_guardian_duplicates_total                redelivered event ids, ignored
//   orion_guardian_evicted_total                   open incidents forgotten to stay within bounds
//   orion_guardian_open_incidents (gauge)          open incidents held now
//   orion_guardian_events_rejected_total           deliveries that were not a readable event
//   orion_guardian_publish_failures_total          incident publishes the bus refused (retried)
#pragma once

#include <array>
#include <map>
#include <string>

#include "common/metrics.h"
#include "guardian/correlator.h"

namespace orion::guardian {

class GuardianMetrics {
 public:
  explicit GuardianMetrics(MetricsRegistry& registry);

  void record(const Correlation& correlation, size_t evicted, size_t open_count);
  void recordRejected() { rejected_.inc(); }
  void recordPublishFailure() { publish_failures_.inc(); }

 private:
  MetricsRegistry& registry_;
  Counter& rejected_;
  Counter& publish_failures_;
  std::array<Counter*, 4> events_;  // indexed by EventSeverity
  std::map<std::string, Counter*, std::less<>> opened_;
  Counter& updated_;
  Counter& resolved_;
  Counter& absorbed_;
  Counter& ignored_;
  Counter& duplicates_;
  Counter& evicted_;
  Gauge& open_;
};

}  // namespace orion::guardian
