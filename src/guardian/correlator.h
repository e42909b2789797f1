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
// Inside, what is kept per event is laid out for speed (docs/benchmarks.md, issue 4): conditions,
// open incidents and nodes live in slots that are found through hash indexes and reused
// (slot_arena.h, slot_index.h), fingerprints are numbers, a condition's tags are a flat sorted
// list (tag_list.h), an open incident is kept as the document it publishes (IncidentDocument,
// changed in place rather than copied for each update), and a reference to an incident is its
// id plus the slot it was last found at. None of it shows outside: documents, ids and the stored
// state are as they always were.
//
// Not thread-safe: one correlator is used by one thread at a time (the guardian's mutex).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/json.h"
#include "common/status.h"
#include "contracts/documents.h"
#include "guardian/event_fields.h"
#include "guardian/event_id_memory.h"
#include "guardian/fifo.h"
#include "guardian/fingerprint.h"
#include "guardian/fingerprint_set.h"
#include "guardian/intrusive_list.h"
#include "guardian/slot_arena.h"
#include "guardian/slot_index.h"
#include "guardian/tag_list.h"

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

// An incident document as published: the correlator's own document of the open incident,
// shared rather than copied. Once nobody else holds it, the correlator changes it in place for
// the incident's next update; while a caller still holds it, the correlator copies it before
// changing anything (copy on write), so a held document never changes. Publishing therefore
// costs no copy in the usual case, where the caller has serialised the document and let it go
// before the next event.
using IncidentDocument = std::shared_ptr<const contracts::Incident>;

// What one event did. `incidents` are the documents to publish, in order (usually 0 or 1; a
// recovery that ends the last member of a group publishes the member's and the group's).
struct Correlation {
  Verdict verdict = Verdict::kIgnored;
  contracts::EventSeverity event_severity = contracts::EventSeverity::kInfo;
  // The event's condition (fingerprintText() spells it): a number, so that reporting it costs
  // nothing per event. 0 for a duplicate, which is recognised before it is fingerprinted.
  FingerprintValue fingerprint = 0;
  std::vector<IncidentDocument> incidents;
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
  ~Correlator();
  Correlator(const Correlator&) = delete;
  Correlator& operator=(const Correlator&) = delete;

  // Applies `event` and returns what to publish.
  Correlation process(const contracts::Event& event);

  // Time-driven work: publishes pending absorbed-event updates that are due, resolves flapping
  // incidents that went quiet, expires resolved fingerprints. Call every second or so.
  std::vector<IncidentDocument> sweep();

  size_t openCount() const { return records_.liveCount(); }
  size_t conditionCount() const { return conditions_.liveCount(); }
  // The commander acknowledged `incident_id` (an acknowledge_incident action succeeded): an open
  // incident becomes `acknowledged` (tags acknowledged_at, acknowledged_by, acknowledged_action)
  // and is returned to publish. Later events still join it and its recovery still resolves it;
  // the brain decides nothing more for it unless it gets worse: a higher severity opens it
  // again. nullptr when it is not open (unknown, resolved, or acknowledged already).
  IncidentDocument acknowledge(const std::string& incident_id, const std::string& by,
                               const std::string& action_id);

  // The open incident that `fingerprint`'s events go to, as it stands, or nullptr. Valid until
  // the next call.
  const contracts::Incident* openIncident(std::string_view fingerprint) const;
  const Counters& counters() const { return counters_; }

  // ---- persistence (correlator_state.cc) -------------------------------------------------
  // The state is four tables of JSON values: "conditions" (by fingerprint), "incidents" (by
  // incident id), "nodes" (by node name) and "events" (recent event ids).
  using Key = std::pair<std::string, std::string>;  // (table, key)
  // True when a key changed since the last clearDirty().
  bool hasChanges() const;
  // The keys changed since the last clearDirty(), sorted, each once. A key that appendValue()
  // does not find was erased.
  std::vector<Key> changedKeys() const;
  void clearDirty();
  // Appends the JSON text of the value under `key` and returns true, or returns false when there
  // is none. What addChanges() writes to the store.
  bool appendValue(const Key& key, std::string& out) const;
  // The same value parsed (snapshot() and tests).
  std::optional<Json> valueOf(const Key& key) const;
  Status restore(const std::string& table, const std::string& key, const Json& value);
  // Call once after every restore(): rebuilds the orders the bounds evict by.
  void finishRestore();
  static const std::vector<std::string>& tables();
  Json snapshot() const;

 private:
  enum class Kind { kSingle, kFlapping, kNodeGroup };

  // Where a record was found: its slot, valid while the slot's generation is unchanged.
  struct RecordRef {
    uint32_t slot = SlotIndex::kNotFound;
    uint32_t generation = 0;
  };
  // A reference to an incident by its id, which is what counts (and what is stored), with the
  // record it was last found at, so that following it usually costs no lookup by id.
  struct IncidentLink {
    std::string id;
    mutable RecordRef cached;  // reset whenever `id` changes
    bool empty() const { return id.empty(); }
    void clear() {
      id.clear();
      cached = {};
    }
  };

  // An open incident.
  struct Record {
    uint32_t slot = 0;        // SlotArena's
    uint32_t generation = 0;  // SlotArena's
    bool live = false;        // SlotArena's
    Kind kind = Kind::kSingle;
    // The incident's whole document, tags included, which publish() hands out as it is. Read it
    // through incident(); change it only through Correlator::edit(), which first copies it if a
    // caller still holds it. It stays with the slot, so the slot's next record reuses its
    // strings and vectors.
    std::shared_ptr<contracts::Incident> document;
    const contracts::Incident& incident() const { return *document; }
    FingerprintSet members;  // conditions it carries or lists
    WallTime last_published;
    WallTime last_activity;
    bool pending_update = false;  // also: listed in pending_
    uint64_t activity_order = 0;  // sequence of the last activity, to rebuild lru_
    ListHook<Record> lru_hook;
    ListHook<Record> pending_hook;
    ListHook<Record> flapping_hook;  // listed in flapping_ while it is a repeated_failures one
    bool changed = false;            // listed in changed_records_
    // A node group's description lists the alphabetically first few of its members' summaries
    // (describeGroup()); they are kept here, with the number of members that have a summary, so
    // that a member joining is merged in rather than every member looked up again. Not stored:
    // `listing_valid` is false until the next describeGroup() after anything but a join changed
    // the members (a member left, or its condition was forgotten), which then lists them anew.
    std::vector<std::string> listed_summaries;
    size_t summarised = 0;
    bool listing_valid = false;
  };

  struct OpenRecord {
    WallTime at;
    std::string event_id;
    contracts::IncidentSeverity severity = contracts::IncidentSeverity::kLow;
  };
  // What the correlator knows about one fingerprint.
  struct Condition {
    uint32_t slot = 0;        // SlotArena's
    uint32_t generation = 0;  // SlotArena's
    bool live = false;        // SlotArena's
    FingerprintValue fingerprint = 0;
    std::string node;
    bool open = false;
    IncidentLink incident;  // where its events go while open
    IncidentLink group;     // the node group listing it while it has its own incident
    Fifo<OpenRecord> opens;
    contracts::IncidentSeverity severity = contracts::IncidentSeverity::kLow;
    std::string summary;  // describeEvent() of the opening event
    TagList tags;         // eventTags() of the opening event
    WallTime resolved_at;
    bool listed_resolved = false;  // in resolved_
    uint64_t resolved_order = 0;   // sequence of the resolution, to rebuild resolved_
    ListHook<Condition> resolved_hook;
    bool changed = false;  // listed in changed_conditions_
  };

  // A condition's open on a node, kept for correlation_window. No event id: a group lists the
  // event that opened each member's own incident (its record's first event id), so a node's
  // window (up to 1000 of these) holds no strings.
  struct RecentOpen {
    WallTime at;
    FingerprintValue fingerprint = 0;
  };
  struct NodeState {
    uint32_t slot = 0;        // SlotArena's
    uint32_t generation = 0;  // SlotArena's
    bool live = false;        // SlotArena's
    std::string name;
    Fifo<RecentOpen> recent;  // opens within correlation_window
    IncidentLink group;       // the open correlation_detected incident, if any
    bool changed = false;     // listed in changed_nodes_
  };

  // correlator.cc
  void absorb(Condition& condition, const EventFields& fields, Correlation& out);
  void resolve(Condition& condition, const EventFields& fields, Correlation& out);
  void openSingle(Condition& condition, const EventFields& fields, Correlation& out);
  Record& addRecord(Kind kind, std::string incident_id, FingerprintValue member);
  Record& allocateRecord(std::string incident_id);
  void eraseRecord(Record& record);
  void publish(Record& record, std::vector<IncidentDocument>& out);
  void raiseSeverity(Record& record, contracts::IncidentSeverity severity);
  void setPending(Record& record);
  void addEvent(Record& record, std::string_view event_id, WallTime at);
  void touch(Record& record);
  void remember(const std::string& event_id);
  void markResolved(Condition& condition);
  void unlistResolved(Condition& condition);
  Condition& addCondition(FingerprintValue fingerprint);
  void eraseCondition(Condition& condition);
  void evictIfFull();
  contracts::Incident& edit(Record& record);
  // correlator_tables.cc: finding things, and noting what changed.
  static uint64_t hashOf(std::string_view key);
  Record* findRecord(std::string_view incident_id);
  const Record* findRecord(std::string_view incident_id) const;
  Record* find(const IncidentLink& link);
  const Record* find(const IncidentLink& link) const;
  static void link(IncidentLink& link, const Record& record);
  Condition* findCondition(FingerprintValue fingerprint);
  const Condition* findCondition(FingerprintValue fingerprint) const;
  NodeState* findNode(std::string_view name);
  const NodeState* findNode(std::string_view name) const;
  NodeState& nodeNamed(std::string_view name);  // found, or added
  void eraseNode(NodeState& node);
  void markChanged(Condition& condition);
  void markChanged(Record& record);
  void markChanged(NodeState& node);
  // correlator_groups.cc
  bool flapping(const Condition& condition) const;
  void openOrGrowFlap(Condition& condition, const EventFields& fields, Correlation& out);
  // `node` is the condition's, pruned (pruneNode()) just before.
  bool joinOrOpenGroup(Condition& condition, NodeState& node, const EventFields& fields,
                       Correlation& out);
  void leaveGroup(const IncidentLink& group, FingerprintValue fingerprint,
                  const contracts::Event& event, Correlation& out);
  // Rewrites the group's description. `joined` is the member that just joined, whose summary is
  // merged into the listing; nullptr lists every member anew.
  void describeGroup(const std::string& node, Record& group, const Condition* joined);
  // The group a condition is a member of (either link) no longer lists it.
  void invalidateListing(const IncidentLink& group);
  void pruneNode(NodeState& node, WallTime now);

  CorrelatorOptions options_;
  const Clock& clock_;
  // Conditions, open incidents and nodes live in slots that stay put, each found through an
  // index of their keys' hashes (by fingerprint, incident id and node name).
  SlotArena<Condition> conditions_;
  SlotIndex condition_index_;
  SlotArena<Record> records_;
  SlotIndex record_index_;
  SlotArena<NodeState> nodes_;
  SlotIndex node_index_;
  IntrusiveList<Record, &Record::lru_hook> lru_;                  // least active first
  IntrusiveList<Record, &Record::pending_hook> pending_;          // with an update to publish
  IntrusiveList<Record, &Record::flapping_hook> flapping_;        // open repeated_failures
  IntrusiveList<Condition, &Condition::resolved_hook> resolved_;  // oldest resolution first
  EventIdMemory seen_;
  uint64_t seen_sequence_ = 0;
  uint64_t order_ = 0;  // shared sequence for activity and resolution order
  Counters counters_;

  // What changed since clearDirty(): the live objects carry a `changed` flag so each is listed
  // once; what was erased is listed by key.
  template <typename Key>
  struct Changed {
    uint32_t slot = 0;
    uint32_t generation = 0;  // what the slot had when listed: a later one is someone else
    Key key;
  };
  std::vector<Changed<FingerprintValue>> changed_conditions_;
  std::vector<RecordRef> changed_records_;
  std::vector<std::string> erased_incident_ids_;
  std::vector<Changed<std::string>> changed_nodes_;
  uint64_t saved_sequence_ = 0;                      // events remembered after it are changed
  std::map<std::string, uint64_t> restored_events_;  // between restore() and finishRestore()
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
