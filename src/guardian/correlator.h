// The correlator: the guardian's logic, without the bus. Fed one event at a time, it keeps the
// conditions it knows (one per fingerprint, fingerprint.h) and the incidents they are reported
// in, and says which incident documents the event produces.
//
// Lifecycle of one condition:
//   - a warning/error/critical event with no open condition opens one, in a new incident
//     (`open`, severity = the event's, never more);
//   - later matching events are absorbed into its incident: a severity raise is published at
//     once as an update (same incident_id, more event_ids); other absorbed events are published
//     as an update at most once per correlation_window (sweep() publishes what is pending);
//   - a recovery event (fingerprint.h: isRecovery) resolves it: the incident is published with
//     state `resolved` and the condition is remembered, resolved, for flap_window; after that its
//     fingerprint expires and a recurrence is a fresh condition;
//   - flapping: the flap_threshold-th open within flap_window does not open yet another incident
//     but a `repeated_failures` one for the condition, which absorbs its later opens and resolves
//     once the condition has recovered and stayed quiet for flap_window (sweep());
//   - a node in trouble: when node_correlation_threshold distinct conditions open on one node
//     within correlation_window, the one that reaches the threshold opens a `correlation_detected`
//     incident naming the node as the probable common cause; the conditions already open stay in
//     their own incidents and are listed as members; later ones on that node join it instead of
//     opening their own. It resolves when all its members have recovered.
//   - info events and recoveries with no open condition are ignored; a redelivered event id is
//     recognised and does nothing.
// An incident's severity is the highest incidentSeverityFor() of the events it carries.
// Incident ids are derived from the fingerprint (or node) and the opening event id, so the same
// events always make the same incidents.
//
// Windows are measured on the correlator's clock when it processes an event (a replay with the
// same clock readings gives the same incidents). Memory is bounded (CorrelatorOptions); each
// bound that drops something is counted in Counters.
//
// Not thread-safe: one correlator is used by one thread at a time (the guardian's mutex).
#pragma once

#include <cstddef>
#include <deque>
#include <list>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/clock.h"
#include "common/json.h"
#include "contracts/documents.h"

namespace orion::guardian {

struct CorrelatorOptions {
  size_t max_open_incidents = 10000;
  size_t max_resolved_fingerprints = 10000;
  size_t max_remembered_events = 10000;
  size_t max_event_ids_per_incident = 32;
  size_t max_group_members = 64;
  Duration correlation_window = std::chrono::seconds(60);
  size_t flap_threshold = 3;
  Duration flap_window = std::chrono::minutes(10);
  size_t node_correlation_threshold = 3;
};

enum class Verdict {
  kOpened,     // a new incident for the condition: publish it
  kUpdated,    // its incident changed (severity raised, or absorbed events due): publish
  kResolved,   // its incident (or group) ended: publish with state "resolved"
  kAbsorbed,   // folded into an open incident; nothing to publish now
  kFlapping,   // opened or grew a repeated_failures incident
  kGrouped,    // opened or joined a correlation_detected incident
  kDuplicate,  // this event id was already processed
  kIgnored,    // info or recovery with no open condition
};
std::string_view toString(Verdict verdict);

// What one event did. `incidents` are the documents to publish, in order (usually 0 or 1; a
// recovery that ends the last member of a group publishes the member's and the group's).
struct Correlation {
  Verdict verdict = Verdict::kIgnored;
  std::string event_id;
  contracts::EventSeverity event_severity = contracts::EventSeverity::kInfo;
  std::string fingerprint;
  std::vector<contracts::Incident> incidents;
  std::vector<std::string> opened;  // ids of the incidents above published for the first time
};

// Everything a bound made the correlator drop, for metrics.
struct Counters {
  uint64_t evicted_incidents = 0;     // open incidents forgotten (max_open_incidents)
  uint64_t expired_fingerprints = 0;  // resolved conditions forgotten (flap_window passed)
  uint64_t evicted_fingerprints = 0;  // resolved conditions forgotten early (max_resolved_…)
  uint64_t forgotten_event_ids = 0;   // event ids dropped from the redelivery memory
  uint64_t truncated_event_ids = 0;   // event ids not listed in an incident (max_event_ids_…)
  uint64_t truncated_members = 0;     // conditions not listed in a group (max_group_members)
};

class Correlator {
 public:
  // `clock` gives the incidents' timestamps and measures the windows; it must outlive the
  // correlator.
  Correlator(CorrelatorOptions options, const Clock& clock);

  // Applies `event` and returns what to publish.
  Correlation process(const contracts::Event& event);

  // Time-driven work: publishes pending absorbed-event updates that are due, resolves flapping
  // incidents that went quiet, expires resolved fingerprints. Call every second or so.
  std::vector<contracts::Incident> sweep();

  size_t openCount() const { return incidents_.size(); }
  size_t conditionCount() const { return conditions_.size(); }
  // The commander acknowledged `incident_id` (an acknowledge_incident action succeeded): an open
  // incident becomes `acknowledged` (tags acknowledged_at, acknowledged_by, acknowledged_action)
  // and is returned to publish. Later events still join it and its recovery still resolves it;
  // the brain decides nothing more for it unless it gets worse: a higher severity opens it
  // again. nullopt when it is not open (unknown, resolved, or acknowledged already).
  std::optional<contracts::Incident> acknowledge(const std::string& incident_id,
                                                 const std::string& by,
                                                 const std::string& action_id);

  // The open incident that `fingerprint`'s events go to, or nullptr. Valid until the next call.
  const contracts::Incident* openIncident(std::string_view fingerprint) const;
  const Counters& counters() const { return counters_; }

  // ---- persistence (correlator_state.cc) -------------------------------------------------
  using Key = std::pair<std::string, std::string>;  // (table, key)
  const std::set<Key>& dirty() const { return dirty_; }
  void clearDirty() { dirty_.clear(); }
  std::optional<Json> valueOf(const Key& key) const;
  Status restore(const std::string& table, const std::string& key, const Json& value);
  // Call once after every restore(): rebuilds the orders the bounds evict by.
  void finishRestore();
  static const std::vector<std::string>& tables();
  Json snapshot() const;

 private:
  struct OpenRecord {
    WallTime at;
    std::string event_id;
    contracts::IncidentSeverity severity = contracts::IncidentSeverity::kLow;
  };
  struct Condition {
    std::string node;
    bool open = false;
    std::string incident_id;  // where its events go while open
    std::string group_id;     // the node group listing it while it has its own incident
    std::deque<OpenRecord> opens;
    contracts::IncidentSeverity severity = contracts::IncidentSeverity::kLow;
    std::string summary;   // describeEvent() of the opening event
    contracts::Tags tags;  // eventTags() of the opening event
    WallTime resolved_at;
    bool listed_resolved = false;  // in resolved_ (position below)
    uint64_t resolved_order = 0;   // sequence of the resolution, to rebuild resolved_
    std::list<std::string>::iterator resolved_pos;
  };
  enum class Kind { kSingle, kFlapping, kNodeGroup };
  struct Record {
    Kind kind = Kind::kSingle;
    contracts::Incident incident;
    std::set<std::string> members;  // fingerprints it carries or lists
    WallTime last_published;
    WallTime last_activity;
    bool pending_update = false;
    uint64_t activity_order = 0;  // sequence of the last activity, to rebuild lru_
    std::list<std::string>::iterator lru;
  };
  struct RecentOpen {
    WallTime at;
    std::string fingerprint;
    std::string event_id;
  };
  struct NodeState {
    std::deque<RecentOpen> recent;  // opens within correlation_window
    std::string group_id;           // the open correlation_detected incident, if any
  };

  // correlator.cc
  void absorb(Condition& condition, const std::string& fingerprint, const contracts::Event& event,
              Correlation& out);
  void resolve(Condition& condition, const std::string& fingerprint, const contracts::Event& event,
               Correlation& out);
  void openSingle(Condition& condition, const std::string& fingerprint,
                  const contracts::Event& event, Correlation& out);
  Record& addRecord(Kind kind, contracts::Incident incident, std::string member);
  void eraseRecord(const std::string& incident_id);
  void publish(Record& record, Correlation& out);
  void raiseSeverity(Record& record, contracts::IncidentSeverity severity);
  void setPending(Record& record);
  void addEvent(Record& record, const std::string& event_id, WallTime at);
  void touch(Record& record);
  void remember(const std::string& event_id);
  void markResolved(Condition& condition, const std::string& fingerprint);
  void unlistResolved(Condition& condition);
  void evictIfFull();
  // correlator_groups.cc
  bool flapping(const Condition& condition) const;
  void openOrGrowFlap(Condition& condition, const std::string& fingerprint,
                      const contracts::Event& event, Correlation& out);
  bool joinOrOpenGroup(Condition& condition, const std::string& fingerprint,
                       const contracts::Event& event, Correlation& out);
  void leaveGroup(const std::string& group_id, const std::string& fingerprint,
                  const contracts::Event& event, Correlation& out);
  std::string groupDescription(const std::string& node, const Record& group) const;
  void pruneNode(const std::string& node, WallTime now);

  void mark(const char* table, const std::string& key) { dirty_.emplace(table, key); }

  CorrelatorOptions options_;
  const Clock& clock_;
  std::unordered_map<std::string, Condition> conditions_;  // fingerprint →
  std::unordered_map<std::string, Record> incidents_;      // open incident id →
  std::list<std::string> lru_;                             // incident ids, least active first
  std::set<std::string> pending_;                          // ids with an update to publish
  std::set<std::string> flapping_;                         // open repeated_failures ids
  std::map<std::string, NodeState> nodes_;
  std::list<std::string> resolved_;                 // resolved fingerprints, oldest first
  std::unordered_map<std::string, uint64_t> seen_;  // recent event id → sequence
  std::deque<std::string> seen_order_;
  uint64_t seen_sequence_ = 0;
  uint64_t order_ = 0;  // shared sequence for activity and resolution order
  std::set<Key> dirty_;
  Counters counters_;
};

// The incident_type for an event type (after conditionTypeOf): service_down → service_outage,
// metric_threshold_exceeded → metric_anomaly, edge_device_offline → edge_device_failure,
// anything else → correlation_detected.
std::string_view incidentTypeFor(std::string_view event_type);

// A one-line human description of what `event` observed, e.g.
// "disk_used_percent of / is 93.1% (warning threshold 90%)" or "service nginx is down".
std::string describeEvent(const contracts::Event& event);

// The incident tags an event contributes (what rule templates can use, docs/decisions.md):
// node, target (the service, container, resource or device), source, event_type, and the
// event's data fields service_name, container_id, container_name, image, exit_code, health,
// resource_type, resource, metric, value, unit, threshold, level, device_id (scalars only, at
// most 256 characters each).
contracts::Tags eventTags(const contracts::Event& event);

}  // namespace orion::guardian
