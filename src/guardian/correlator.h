// The correlator: the guardian's logic, without the bus. Fed one event at a time, it says which
// incident document (if any) the event produces, and keeps the set of open incidents.
//
// Lifecycle of one condition (one fingerprint, see fingerprint.h):
//   - a warning/error/critical event with no open incident opens one (state "open");
//   - later matching events are absorbed into it; one that raises the severity produces an
//     update (same incident_id, state "open", event_ids grown, severity raised), others produce
//     nothing;
//   - a recovery event (fingerprint.h: isRecovery) resolves it: the incident is published with
//     state "resolved" and forgotten, so a recurrence opens a new incident;
//   - info events and recoveries with no open incident are ignored.
// An incident's severity is the highest contracts::incidentSeverityFor() of the events that opened
// or raised it, never more. Every event id is remembered (a bounded set of recent ids), so a
// redelivered event is recognised and produces nothing.
//
// Two steps, so that a failed publish changes nothing: correlate() computes the outcome without
// touching any state; the caller publishes its incident and only then calls commit(). If the
// publish fails and the bus redelivers, correlate() gives the same outcome again (and the same
// incident_id, which is derived from the opening event).
//
// Bounds: at most `max_open_incidents` open incidents (the least recently active one is
// forgotten to make room, and counted by the caller from commit()'s return value); at most
// `max_remembered_events` recent event ids; at most `max_event_ids_per_incident` ids listed in one
// incident (the opening event and the most recent ones).
//
// Not thread-safe: one correlator is used by one thread (the guardian's subscription thread), and
// each commit() must follow its own correlate() with no other commit() in between.
#pragma once

#include <cstddef>
#include <deque>
#include <list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "common/clock.h"
#include "contracts/documents.h"

namespace orion::guardian {

struct CorrelatorOptions {
  size_t max_open_incidents = 10000;
  size_t max_remembered_events = 10000;
  size_t max_event_ids_per_incident = 32;
};

enum class Verdict {
  kOpened,     // a new incident: publish it
  kUpdated,    // an open incident's severity rose: publish the update
  kResolved,   // an open incident ended: publish it with state "resolved"
  kAbsorbed,   // folded into an open incident; nothing to publish
  kDuplicate,  // this event id was already processed; nothing to do
  kIgnored,    // info or recovery with no open incident; nothing to do
};
std::string_view toString(Verdict verdict);

// What one event means. `incident` is set exactly when there is something to publish.
struct Correlation {
  Verdict verdict = Verdict::kIgnored;
  std::string event_id;
  WallTime event_time;
  contracts::EventSeverity event_severity = contracts::EventSeverity::kInfo;
  std::string fingerprint;
  std::optional<contracts::Incident> incident;
};

class Correlator {
 public:
  // `clock` gives the incidents' timestamps; it must outlive the correlator.
  Correlator(CorrelatorOptions options, const Clock& clock);

  // The outcome of `event` given the current open incidents. Changes nothing.
  [[nodiscard]] Correlation correlate(const contracts::Event& event) const;

  // Applies `correlation` (from the latest correlate()): remembers its event id and opens,
  // updates, grows or forgets the incident. Returns how many open incidents were forgotten to
  // keep within max_open_incidents (0 or 1).
  size_t commit(const Correlation& correlation);

  // correlate() then commit(), for callers with nothing that can fail in between.
  Correlation process(const contracts::Event& event);

  size_t openCount() const { return open_.size(); }
  // The open incident for `fingerprint`, or nullptr. Valid until the next commit().
  const contracts::Incident* openIncident(std::string_view fingerprint) const;

 private:
  struct Open {
    contracts::Incident incident;
    std::list<std::string>::iterator recency;  // position in recency_
  };

  bool seen(const std::string& event_id) const { return seen_.contains(event_id); }
  void remember(const std::string& event_id);
  void touch(Open& open);
  size_t evictIfFull();

  CorrelatorOptions options_;
  const Clock& clock_;
  std::unordered_map<std::string, Open> open_;  // fingerprint → open incident
  std::list<std::string> recency_;              // fingerprints, least recently active first
  std::unordered_set<std::string> seen_;        // recent event ids
  std::deque<std::string> seen_order_;          // the same ids, oldest first
};

// The incident_type for an event type (after conditionTypeOf): service_down → service_outage,
// metric_threshold_exceeded → metric_anomaly, edge_device_offline → edge_device_failure,
// anything else → correlation_detected.
std::string_view incidentTypeFor(std::string_view event_type);

// A one-line human description of what `event` observed, e.g.
// "disk_used_percent of / is 93.1% (warning threshold 90%)" or "service nginx is down".
std::string describeEvent(const contracts::Event& event);

}  // namespace orion::guardian
