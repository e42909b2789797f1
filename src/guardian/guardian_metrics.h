// The guardian's metrics, declared in one place. Built once at start from the registry; record()
// is called under the guardian's mutex after each event and each sweep.
//
//   orion_guardian_events_total{severity}             events processed (duplicates included)
//   orion_guardian_incidents_opened_total{type}       incidents opened for one condition
//   orion_guardian_flapping_total                     events that opened or grew repeated_failures
//   orion_guardian_grouped_total                      events that opened or joined
//   correlation_detected orion_guardian_incidents_updated_total            updates published
//   (severity raised, coalesced) orion_guardian_incidents_resolved_total           resolutions
//   published orion_guardian_events_absorbed_total              events folded into an open incident
//   orion_guardian_events_ignored_total               info/recovery events with no open condition
//   orion_guardian_duplicates_total                   redelivered event ids, ignored
//   orion_guardian_open_incidents (gauge)             open incidents held now
//   orion_guardian_conditions (gauge)                 fingerprints held now (open and resolved)
// Bounds (every one that drops something):
//   orion_guardian_evicted_total                      open incidents forgotten (max_open_incidents)
//   orion_guardian_fingerprints_expired_total         resolved fingerprints expired (flap_window)
//   orion_guardian_fingerprints_evicted_total         resolved fingerprints dropped early (bound)
//   orion_guardian_event_ids_forgotten_total          event ids dropped from redelivery memory
//   orion_guardian_event_ids_truncated_total          event ids left out of an incident document
//   orion_guardian_group_members_truncated_total      conditions left out of a node group
//   orion_guardian_outbox_full_total                  events refused while the outbox was full
// Delivery:
//   orion_guardian_events_rejected_total              deliveries that were not a readable event
//   orion_guardian_publish_failures_total             incident publishes the bus refused (retried)
//   orion_guardian_outbox_pending (gauge)             incidents not yet published
//   orion_guardian_state_write_failures_total         state store writes that failed (retried)
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

  void record(const Correlation& correlation);
  // `opened`: its first publication (not an update).
  void recordPublished(const contracts::Incident& incident, bool opened);
  void recordState(const Correlator& correlator, size_t outbox);
  void recordRejected() { rejected_.inc(); }
  void recordPublishFailure() { publish_failures_.inc(); }
  void recordOutboxFull() { outbox_full_.inc(); }
  void recordStateWriteFailure() { state_write_failures_.inc(); }

 private:
  MetricsRegistry& registry_;
  Counter& rejected_;
  Counter& publish_failures_;
  Counter& outbox_full_;
  Counter& state_write_failures_;
  std::array<Counter*, 4> events_;  // indexed by EventSeverity
  std::map<std::string, Counter*, std::less<>> opened_;
  Counter& flapping_;
  Counter& grouped_;
  Counter& updated_;
  Counter& resolved_;
  Counter& absorbed_;
  Counter& ignored_;
  Counter& duplicates_;
  Gauge& open_;
  Gauge& conditions_;
  Gauge& outbox_;
  struct Bound {
    Counter* counter;
    uint64_t Counters::*field;
    uint64_t seen = 0;
  };
  std::array<Bound, 6> bounds_;
};

}  // namespace orion::guardian
