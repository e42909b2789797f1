#include "guardian/correlator.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "common/time.h"
#include "guardian/fingerprint.h"
#include "guardian/incident_text.h"

namespace orion::guardian {

using contracts::Event;
using contracts::EventSeverity;
using contracts::Incident;
using contracts::IncidentSeverity;
using contracts::IncidentState;

namespace {

// The incident's description, empty, with the storage it had (optional::emplace would free it).
std::string& emptiedDescription(Incident& incident) {
  if (!incident.description) incident.description.emplace();
  incident.description->clear();
  return *incident.description;
}

}  // namespace

std::string_view toString(Verdict verdict) {
  switch (verdict) {
    case Verdict::kOpened:
      return "opened";
    case Verdict::kUpdated:
      return "updated";
    case Verdict::kResolved:
      return "resolved";
    case Verdict::kAbsorbed:
      return "absorbed";
    case Verdict::kFlapping:
      return "flapping";
    case Verdict::kGrouped:
      return "grouped";
    case Verdict::kDuplicate:
      return "duplicate";
    case Verdict::kIgnored:
      return "ignored";
  }
  return "unknown";
}

Correlator::Correlator(CorrelatorOptions options, const Clock& clock)
    : options_(options), clock_(clock) {}

Correlator::~Correlator() = default;

Correlation Correlator::process(const Event& event) {
  Correlation out;
  out.event_severity = event.severity;
  if (seen_.contains(event.event_id)) {
    out.verdict = Verdict::kDuplicate;
    return out;
  }
  remember(event.event_id);
  EventFields fields(event);
  FingerprintValue fingerprint = fingerprintValueOf(fields);
  out.fingerprint = fingerprint;
  Condition* known = findCondition(fingerprint);

  if (isRecovery(fields)) {
    if (known == nullptr || !known->open) {
      out.verdict = Verdict::kIgnored;
      return out;
    }
    resolve(*known, fields, out);
    return out;
  }
  if (known != nullptr && known->open) {
    absorb(*known, fields, out);
    return out;
  }
  if (event.severity == EventSeverity::kInfo) {
    out.verdict = Verdict::kIgnored;
    return out;
  }

  // The condition opens: for the first time, or again after it recovered.
  WallTime now = clock_.now();
  Condition& condition = known != nullptr ? *known : addCondition(fingerprint);
  unlistResolved(condition);
  while (!condition.opens.empty() && condition.opens.front().at <= now - options_.flap_window) {
    condition.opens.pop_front();
  }
  IncidentSeverity severity = contracts::incidentSeverityFor(event.severity);
  condition.opens.push_back(OpenRecord{now, event.event_id, severity});
  while (condition.opens.size() > std::max<size_t>(options_.flap_threshold, 1) * 4) {
    condition.opens.pop_front();  // only the last few opens matter for flapping
  }
  condition.open = true;
  condition.node.assign(fields.node());
  condition.severity = severity;
  condition.summary.clear();
  describeEventInto(fields, condition.summary);
  condition.tags.assign(EventTagValues(fields).sorted());
  invalidateListing(condition.group);  // its summary changed (the link is normally empty here)
  condition.group.clear();
  markChanged(condition);

  const Record* flap = find(condition.incident);
  bool in_open_flap = flap != nullptr && flap->kind == Kind::kFlapping;
  NodeState* node = nullptr;
  if (in_open_flap || flapping(condition)) {
    openOrGrowFlap(condition, fields, out);
  } else {
    if (!condition.node.empty()) {
      if (NodeState* known_node = findNode(condition.node)) pruneNode(*known_node, now);
      node = &nodeNamed(condition.node);
    }
    if (node == nullptr || !joinOrOpenGroup(condition, *node, fields, out)) {
      openSingle(condition, fields, out);
    }
  }
  if (!condition.node.empty()) {
    if (node == nullptr) node = &nodeNamed(condition.node);
    node->recent.push_back(RecentOpen{now, fingerprint});
    while (node->recent.size() > 1000) node->recent.pop_front();
    markChanged(*node);
  }
  evictIfFull();
  return out;
}

void Correlator::absorb(Condition& condition, const EventFields& fields, Correlation& out) {
  Record* found = find(condition.incident);
  if (found == nullptr) {
    // Its incident was forgotten (a bound); the condition restarts with this event.
    condition.open = false;
    condition.incident.clear();
    out.verdict = Verdict::kIgnored;
    markChanged(condition);
    return;
  }
  const Event& event = fields.event();
  WallTime now = clock_.now();
  Record& record = *found;
  addEvent(record, event.event_id, now);
  IncidentSeverity severity = contracts::incidentSeverityFor(event.severity);
  condition.severity = std::max(condition.severity, severity);
  markChanged(condition);
  if (record.kind == Kind::kSingle) {
    Incident& incident = edit(record);
    describeEventInto(fields, emptiedDescription(incident));
    mergeTags(incident.tags, EventTagValues(fields).sorted());
  }
  touch(record);
  if (severity > record.incident().severity) {
    raiseSeverity(record, severity);
    publish(record, out.incidents);
    out.verdict = Verdict::kUpdated;
  } else if (now - record.last_published >= options_.correlation_window) {
    publish(record, out.incidents);
    out.verdict = Verdict::kUpdated;
  } else {
    setPending(record);
    out.verdict = Verdict::kAbsorbed;
  }
}

void Correlator::resolve(Condition& condition, const EventFields& fields, Correlation& out) {
  const Event& event = fields.event();
  WallTime now = clock_.now();
  out.verdict = Verdict::kAbsorbed;
  condition.open = false;
  condition.resolved_at = now;
  markResolved(condition);
  if (Record* found = find(condition.incident)) {
    Record& record = *found;
    switch (record.kind) {
      case Kind::kSingle: {
        addEvent(record, event.event_id, now);
        Incident& incident = edit(record);
        incident.state = IncidentState::kResolved;
        std::string& description = emptiedDescription(incident);
        description = "recovered: ";
        describeEventInto(fields, description);
        publish(record, out.incidents);
        eraseRecord(record);
        condition.incident.clear();
        out.verdict = Verdict::kResolved;
        break;
      }
      case Kind::kFlapping:
        // The flapping incident stays open until the condition has been quiet for flap_window
        // (sweep()); the recovery is published with its next update.
        addEvent(record, event.event_id, now);
        setPending(record);
        touch(record);
        break;
      case Kind::kNodeGroup: {
        IncidentLink group = std::move(condition.incident);
        condition.incident.clear();
        leaveGroup(group, condition.fingerprint, event, out);
        break;
      }
    }
  }
  if (!condition.group.empty()) {
    IncidentLink group = std::move(condition.group);
    condition.group.clear();
    leaveGroup(group, condition.fingerprint, event, out);
  }
  markChanged(condition);
}

void Correlator::openSingle(Condition& condition, const EventFields& fields, Correlation& out) {
  const Event& event = fields.event();
  std::string fingerprint = fingerprintText(condition.fingerprint);
  Record& record =
      addRecord(Kind::kSingle, incidentIdFor(fingerprint, event.event_id), condition.fingerprint);
  Incident& incident = edit(record);
  incident.timestamp = clock_.now();
  incident.incident_type = std::string(incidentTypeFor(event.event_type));
  incident.severity = contracts::incidentSeverityFor(event.severity);
  incident.event_ids.push_back(event.event_id);
  incident.window_start = incident.timestamp;
  incident.window_end = incident.timestamp;
  incident.state = IncidentState::kOpen;
  incident.description = condition.summary;
  const TagView extra[] = {{"fingerprint", fingerprint}};
  assignTags(incident.tags, condition.tags, extra);
  link(condition.incident, record);
  publish(record, out.incidents);
  out.opened.push_back(incident.incident_id);
  out.verdict = Verdict::kOpened;
}

// A new record for `incident_id` (replacing an open one with that id: the same opening event
// again, after a bound), listed as the most recently active.
Correlator::Record& Correlator::addRecord(Kind kind, std::string incident_id,
                                          FingerprintValue member) {
  if (Record* existing = findRecord(incident_id)) eraseRecord(*existing);
  Record& record = allocateRecord(std::move(incident_id));
  record.kind = kind;
  record.members.insert(member);
  record.last_activity = clock_.now();
  record.activity_order = ++order_;
  lru_.pushBack(record);
  if (kind == Kind::kFlapping) flapping_.pushBack(record);
  markChanged(record);
  return record;
}

// An empty record in a free slot, indexed under `incident_id`, which must not be open. The
// slot's strings and vectors keep their storage from its last record. Its tags are left as they
// were, for the caller to replace (assignTags) into the strings they have.
Correlator::Record& Correlator::allocateRecord(std::string incident_id) {
  Record& record = records_.acquire();
  record.kind = Kind::kSingle;
  if (record.document == nullptr || record.document.use_count() > 1) {
    record.document = std::make_shared<Incident>();  // nothing to reuse, or not ours to reuse
  }
  Incident& incident = *record.document;
  incident.incident_id = std::move(incident_id);
  incident.timestamp = WallTime{};
  incident.source = "orion-guardian";
  incident.incident_type.clear();
  incident.severity = IncidentSeverity::kLow;
  incident.event_ids.clear();
  // A fresh document: room for the usual few events of an incident (opened, updated, raised,
  // resolved) at once, rather than three reallocations on the way.
  if (incident.event_ids.capacity() == 0) incident.event_ids.reserve(4);
  incident.window_start = WallTime{};
  incident.window_end = WallTime{};
  incident.state = IncidentState::kOpen;
  incident.description.reset();
  record.members.clear();
  record.last_published = WallTime{};
  record.last_activity = WallTime{};
  record.pending_update = false;
  record.activity_order = 0;
  record.changed = false;
  record.summarised = 0;
  record.listing_valid = false;
  record_index_.insert(hashOf(record.incident().incident_id), record.slot);
  return record;
}

// Takes the record out of every index and list and frees its slot. Its strings and vectors stay
// with the slot, so the next record there needs no allocation for them.
void Correlator::eraseRecord(Record& record) {
  const std::string& id = record.incident().incident_id;
  record_index_.erase(hashOf(id), record.slot);
  lru_.remove(record);
  pending_.remove(record);
  flapping_.remove(record);
  erased_incident_ids_.push_back(id);
  record.changed = false;
  record.pending_update = false;
  records_.release(record);
}

IncidentDocument Correlator::acknowledge(const std::string& incident_id, const std::string& by,
                                         const std::string& action_id) {
  Record* found = findRecord(incident_id);
  if (found == nullptr) return nullptr;
  Record& record = *found;
  if (record.incident().state != contracts::IncidentState::kOpen) return nullptr;
  WallTime now = clock_.now();
  Incident& incident = edit(record);
  incident.state = contracts::IncidentState::kAcknowledged;
  incident.tags["acknowledged_at"] = formatRfc3339(now);
  incident.tags["acknowledged_by"] = by;
  incident.tags["acknowledged_action"] = action_id;
  std::vector<IncidentDocument> out;
  touch(record);
  publish(record, out);
  return std::move(out.front());
}

// An acknowledgement holds until the incident gets worse: a higher severity opens it again, so
// the brain takes a fresh look (the acknowledged_* tags stay, as history).
void Correlator::raiseSeverity(Record& record, contracts::IncidentSeverity severity) {
  if (severity <= record.incident().severity) return;
  Incident& incident = edit(record);
  incident.severity = severity;
  if (incident.state == contracts::IncidentState::kAcknowledged) {
    incident.state = contracts::IncidentState::kOpen;
  }
  markChanged(record);
}

void Correlator::publish(Record& record, std::vector<IncidentDocument>& out) {
  WallTime now = clock_.now();
  edit(record).timestamp = now;
  record.last_published = now;
  record.pending_update = false;
  pending_.remove(record);
  out.push_back(record.document);
  markChanged(record);
}

// Copy on write: a document a caller still holds stays as it was published, and the record goes
// on with a copy of it.
Incident& Correlator::edit(Record& record) {
  if (record.document.use_count() > 1) {
    record.document = std::make_shared<Incident>(*record.document);
  }
  return *record.document;
}

void Correlator::setPending(Record& record) {
  record.pending_update = true;
  if (!pending_.contains(record)) pending_.pushBack(record);
}

// Keeps the opening event (what started it) and the most recent ones (what it looks like now),
// so a long-lived incident stays a bounded document.
void Correlator::addEvent(Record& record, std::string_view event_id, WallTime at) {
  Incident& incident = edit(record);
  if (incident.event_ids.size() < std::max<size_t>(options_.max_event_ids_per_incident, 1)) {
    incident.event_ids.emplace_back(event_id);
  } else if (incident.event_ids.size() > 1) {
    // The opening event stays first; the second (the oldest after it) goes, and its string,
    // moved to the end, takes the new id: no allocation for an incident that keeps growing.
    auto& ids = incident.event_ids;
    std::string dropped = std::move(ids[1]);
    std::move(ids.begin() + 2, ids.end(), ids.begin() + 1);
    ids.back() = std::move(dropped);
    ids.back().assign(event_id);
    ++counters_.truncated_event_ids;
  } else {
    ++counters_.truncated_event_ids;
  }
  incident.window_start = std::min(incident.window_start, at);
  incident.window_end = std::max(incident.window_end, at);
  markChanged(record);
}

void Correlator::touch(Record& record) {
  record.last_activity = clock_.now();
  record.activity_order = ++order_;
  lru_.moveToBack(record);
}

void Correlator::remember(const std::string& event_id) {
  seen_.add(event_id, ++seen_sequence_);
  while (seen_.size() > std::max<size_t>(options_.max_remembered_events, 1)) {
    seen_.forgetOldest();  // readable until clearDirty(), for changedKeys()
    ++counters_.forgotten_event_ids;
  }
}

void Correlator::markResolved(Condition& condition) {
  unlistResolved(condition);
  resolved_.pushBack(condition);
  condition.listed_resolved = true;
  condition.resolved_order = ++order_;
  while (resolved_.size() > std::max<size_t>(options_.max_resolved_fingerprints, 1)) {
    Condition& oldest = *resolved_.front();
    resolved_.remove(oldest);
    oldest.listed_resolved = false;
    if (!oldest.open && oldest.incident.empty()) {
      eraseCondition(oldest);
      ++counters_.evicted_fingerprints;
    }
  }
}

void Correlator::unlistResolved(Condition& condition) {
  resolved_.remove(condition);
  condition.listed_resolved = false;
}

// A new condition for `fingerprint`, which must not have one. The slot's strings and vectors
// keep their storage from its last condition.
Correlator::Condition& Correlator::addCondition(FingerprintValue fingerprint) {
  Condition& condition = conditions_.acquire();
  condition.fingerprint = fingerprint;
  condition.node.clear();
  condition.open = false;
  condition.incident.clear();
  condition.group.clear();
  condition.opens.clear();
  condition.severity = IncidentSeverity::kLow;
  condition.summary.clear();
  condition.tags.clear();
  condition.resolved_at = WallTime{};
  condition.listed_resolved = false;
  condition.resolved_order = 0;
  condition.changed = false;
  condition_index_.insert(fingerprint, condition.slot);
  return condition;
}

void Correlator::eraseCondition(Condition& condition) {
  resolved_.remove(condition);
  invalidateListing(condition.incident);
  invalidateListing(condition.group);
  if (!condition.changed) {
    changed_conditions_.push_back({condition.slot, condition.generation, condition.fingerprint});
  }
  condition.changed = false;
  condition_index_.erase(condition.fingerprint, condition.slot);
  conditions_.release(condition);
}

void Correlator::evictIfFull() {
  while (openCount() > std::max<size_t>(options_.max_open_incidents, 1) && !lru_.empty()) {
    Record& record = *lru_.front();
    const std::string& id = record.incident().incident_id;
    for (FingerprintValue member : record.members) {
      Condition* condition = findCondition(member);
      if (condition == nullptr) continue;
      if (condition->incident.id == id) {
        eraseCondition(*condition);
        continue;
      }
      if (condition->group.id == id) condition->group.clear();
      markChanged(*condition);
    }
    if (record.kind == Kind::kNodeGroup) {
      nodes_.forEachLive([this, &id](NodeState& node) {
        if (node.group.id != id) return;
        node.group.clear();
        markChanged(node);
      });
    }
    eraseRecord(record);
    ++counters_.evicted_incidents;
  }
}

const Incident* Correlator::openIncident(std::string_view fingerprint) const {
  auto value = parseFingerprint(fingerprint);
  if (!value) return nullptr;
  const Condition* condition = findCondition(*value);
  if (condition == nullptr || !condition->open) return nullptr;
  const Record* record = find(condition->incident);
  if (record == nullptr) return nullptr;
  return &record->incident();
}

}  // namespace orion::guardian
