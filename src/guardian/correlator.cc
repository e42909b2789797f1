#include "guardian/correlator.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "common/time.h"
#include "guardian/fingerprint.h"

namespace orion::guardian {

using contracts::Event;
using contracts::EventSeverity;
using contracts::Incident;
using contracts::IncidentSeverity;
using contracts::IncidentState;

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

Correlation Correlator::process(const Event& event) {
  Correlation out;
  out.event_id = event.event_id;
  out.event_severity = event.severity;
  if (seen_.contains(event.event_id)) {
    out.verdict = Verdict::kDuplicate;
    return out;
  }
  remember(event.event_id);
  out.fingerprint = fingerprintOf(event);
  const std::string& fingerprint = out.fingerprint;
  auto it = conditions_.find(fingerprint);
  Condition* known = it == conditions_.end() ? nullptr : &it->second;

  if (isRecovery(event)) {
    if (known == nullptr || !known->open) {
      out.verdict = Verdict::kIgnored;
      return out;
    }
    resolve(*known, fingerprint, event, out);
    return out;
  }
  if (known != nullptr && known->open) {
    absorb(*known, fingerprint, event, out);
    return out;
  }
  if (event.severity == EventSeverity::kInfo) {
    out.verdict = Verdict::kIgnored;
    return out;
  }

  // The condition opens: for the first time, or again after it recovered.
  WallTime now = clock_.now();
  Condition& condition = known != nullptr ? *known : conditions_[fingerprint];
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
  condition.node = nodeOf(event);
  condition.severity = severity;
  condition.summary = describeEvent(event);
  condition.tags = eventTags(event);
  condition.group_id.clear();
  mark("conditions", fingerprint);

  auto flap = incidents_.find(condition.incident_id);
  bool in_open_flap = flap != incidents_.end() && flap->second.kind == Kind::kFlapping;
  if (in_open_flap || flapping(condition)) {
    openOrGrowFlap(condition, fingerprint, event, out);
  } else if (!joinOrOpenGroup(condition, fingerprint, event, out)) {
    openSingle(condition, fingerprint, event, out);
  }
  if (!condition.node.empty()) {
    NodeState& node = nodes_[condition.node];
    node.recent.push_back(RecentOpen{now, fingerprint, event.event_id});
    while (node.recent.size() > 1000) node.recent.pop_front();
    mark("nodes", condition.node);
  }
  evictIfFull();
  return out;
}

void Correlator::absorb(Condition& condition, const std::string& fingerprint, const Event& event,
                        Correlation& out) {
  auto it = incidents_.find(condition.incident_id);
  if (it == incidents_.end()) {
    // Its incident was forgotten (a bound); the condition restarts with this event.
    condition.open = false;
    condition.incident_id.clear();
    out.verdict = Verdict::kIgnored;
    mark("conditions", fingerprint);
    return;
  }
  WallTime now = clock_.now();
  Record& record = it->second;
  addEvent(record, event.event_id, now);
  IncidentSeverity severity = contracts::incidentSeverityFor(event.severity);
  condition.severity = std::max(condition.severity, severity);
  mark("conditions", fingerprint);
  if (record.kind == Kind::kSingle) {
    record.incident.description = describeEvent(event);
    for (auto& [key, value] : eventTags(event)) record.incident.tags[key] = value;
  }
  touch(record);
  if (severity > record.incident.severity) {
    raiseSeverity(record, severity);
    publish(record, out);
    out.verdict = Verdict::kUpdated;
  } else if (now - record.last_published >= options_.correlation_window) {
    publish(record, out);
    out.verdict = Verdict::kUpdated;
  } else {
    setPending(record);
    out.verdict = Verdict::kAbsorbed;
  }
}

void Correlator::resolve(Condition& condition, const std::string& fingerprint, const Event& event,
                         Correlation& out) {
  WallTime now = clock_.now();
  out.verdict = Verdict::kAbsorbed;
  condition.open = false;
  condition.resolved_at = now;
  markResolved(condition, fingerprint);
  auto it = incidents_.find(condition.incident_id);
  if (it != incidents_.end()) {
    Record& record = it->second;
    switch (record.kind) {
      case Kind::kSingle:
        addEvent(record, event.event_id, now);
        record.incident.state = IncidentState::kResolved;
        record.incident.description = "recovered: " + describeEvent(event);
        publish(record, out);
        eraseRecord(condition.incident_id);
        condition.incident_id.clear();
        out.verdict = Verdict::kResolved;
        break;
      case Kind::kFlapping:
        // The flapping incident stays open until the condition has been quiet for flap_window
        // (sweep()); the recovery is published with its next update.
        addEvent(record, event.event_id, now);
        setPending(record);
        touch(record);
        break;
      case Kind::kNodeGroup: {
        std::string group = condition.incident_id;
        condition.incident_id.clear();
        leaveGroup(group, fingerprint, event, out);
        break;
      }
    }
  }
  if (!condition.group_id.empty()) {
    std::string group = condition.group_id;
    condition.group_id.clear();
    leaveGroup(group, fingerprint, event, out);
  }
  mark("conditions", fingerprint);
}

void Correlator::openSingle(Condition& condition, const std::string& fingerprint,
                            const Event& event, Correlation& out) {
  Incident incident;
  incident.incident_id = incidentIdFor(fingerprint, event.event_id);
  incident.timestamp = clock_.now();
  incident.incident_type = std::string(incidentTypeFor(event.event_type));
  incident.severity = contracts::incidentSeverityFor(event.severity);
  incident.event_ids = {event.event_id};
  incident.window_start = incident.timestamp;
  incident.window_end = incident.timestamp;
  incident.state = IncidentState::kOpen;
  incident.description = condition.summary;
  incident.tags = condition.tags;
  incident.tags["fingerprint"] = fingerprint;
  Record& record = addRecord(Kind::kSingle, std::move(incident), fingerprint);
  condition.incident_id = record.incident.incident_id;
  publish(record, out);
  out.opened.push_back(record.incident.incident_id);
  out.verdict = Verdict::kOpened;
}

Correlator::Record& Correlator::addRecord(Kind kind, Incident incident, std::string member) {
  std::string id = incident.incident_id;
  if (incidents_.contains(id)) eraseRecord(id);  // the same opening event again, after a bound
  Record& record = incidents_[id];
  record.kind = kind;
  record.incident = std::move(incident);
  record.members.insert(std::move(member));
  record.last_activity = clock_.now();
  record.activity_order = ++order_;
  lru_.push_back(id);
  record.lru = std::prev(lru_.end());
  if (kind == Kind::kFlapping) flapping_.insert(id);
  mark("incidents", id);
  return record;
}

void Correlator::eraseRecord(const std::string& incident_id) {
  auto it = incidents_.find(incident_id);
  if (it == incidents_.end()) return;
  lru_.erase(it->second.lru);
  incidents_.erase(it);
  pending_.erase(incident_id);
  flapping_.erase(incident_id);
  mark("incidents", incident_id);
}

std::optional<Incident> Correlator::acknowledge(const std::string& incident_id,
                                                const std::string& by,
                                                const std::string& action_id) {
  auto it = incidents_.find(incident_id);
  if (it == incidents_.end()) return std::nullopt;
  Record& record = it->second;
  if (record.incident.state != contracts::IncidentState::kOpen) return std::nullopt;
  WallTime now = clock_.now();
  record.incident.state = contracts::IncidentState::kAcknowledged;
  record.incident.tags["acknowledged_at"] = formatRfc3339(now);
  record.incident.tags["acknowledged_by"] = by;
  record.incident.tags["acknowledged_action"] = action_id;
  Correlation out;
  touch(record);
  publish(record, out);
  return std::move(out.incidents.front());
}

// An acknowledgement holds until the incident gets worse: a higher severity opens it again, so
// the brain takes a fresh look (the acknowledged_* tags stay, as history).
void Correlator::raiseSeverity(Record& record, contracts::IncidentSeverity severity) {
  if (severity <= record.incident.severity) return;
  record.incident.severity = severity;
  if (record.incident.state == contracts::IncidentState::kAcknowledged) {
    record.incident.state = contracts::IncidentState::kOpen;
  }
  mark("incidents", record.incident.incident_id);
}

void Correlator::publish(Record& record, Correlation& out) {
  WallTime now = clock_.now();
  record.incident.timestamp = now;
  record.last_published = now;
  record.pending_update = false;
  pending_.erase(record.incident.incident_id);
  out.incidents.push_back(record.incident);
  mark("incidents", record.incident.incident_id);
}

// Keeps the opening event (what started it) and the most recent ones (what it looks like now),
// so a long-lived incident stays a bounded document.
void Correlator::setPending(Record& record) {
  record.pending_update = true;
  pending_.insert(record.incident.incident_id);
}

void Correlator::addEvent(Record& record, const std::string& event_id, WallTime at) {
  Incident& incident = record.incident;
  if (incident.event_ids.size() < std::max<size_t>(options_.max_event_ids_per_incident, 1)) {
    incident.event_ids.push_back(event_id);
  } else if (incident.event_ids.size() > 1) {
    incident.event_ids.erase(incident.event_ids.begin() + 1);
    incident.event_ids.push_back(event_id);
    ++counters_.truncated_event_ids;
  } else {
    ++counters_.truncated_event_ids;
  }
  incident.window_start = std::min(incident.window_start, at);
  incident.window_end = std::max(incident.window_end, at);
  mark("incidents", incident.incident_id);
}

void Correlator::touch(Record& record) {
  record.last_activity = clock_.now();
  record.activity_order = ++order_;
  lru_.splice(lru_.end(), lru_, record.lru);
}

void Correlator::remember(const std::string& event_id) {
  seen_.emplace(event_id, ++seen_sequence_);
  seen_order_.push_back(event_id);
  mark("events", event_id);
  while (seen_order_.size() > std::max<size_t>(options_.max_remembered_events, 1)) {
    seen_.erase(seen_order_.front());
    mark("events", seen_order_.front());
    seen_order_.pop_front();
    ++counters_.forgotten_event_ids;
  }
}

void Correlator::markResolved(Condition& condition, const std::string& fingerprint) {
  unlistResolved(condition);
  condition.resolved_pos = resolved_.insert(resolved_.end(), fingerprint);
  condition.listed_resolved = true;
  condition.resolved_order = ++order_;
  while (resolved_.size() > std::max<size_t>(options_.max_resolved_fingerprints, 1)) {
    std::string oldest = resolved_.front();
    resolved_.pop_front();
    auto it = conditions_.find(oldest);
    if (it != conditions_.end() && !it->second.open && it->second.incident_id.empty()) {
      conditions_.erase(it);
      mark("conditions", oldest);
      ++counters_.evicted_fingerprints;
    } else if (it != conditions_.end()) {
      it->second.listed_resolved = false;
    }
  }
}

void Correlator::unlistResolved(Condition& condition) {
  if (!condition.listed_resolved) return;
  resolved_.erase(condition.resolved_pos);
  condition.listed_resolved = false;
}

void Correlator::evictIfFull() {
  while (incidents_.size() > std::max<size_t>(options_.max_open_incidents, 1) && !lru_.empty()) {
    std::string id = lru_.front();
    Record& record = incidents_.at(id);
    for (const std::string& member : record.members) {
      auto it = conditions_.find(member);
      if (it == conditions_.end()) continue;
      if (it->second.incident_id == id) {
        unlistResolved(it->second);
        conditions_.erase(it);
      } else if (it->second.group_id == id) {
        it->second.group_id.clear();
      }
      mark("conditions", member);
    }
    if (record.kind == Kind::kNodeGroup) {
      for (auto& [name, node] : nodes_) {
        if (node.group_id == id) {
          node.group_id.clear();
          mark("nodes", name);
        }
      }
    }
    eraseRecord(id);
    ++counters_.evicted_incidents;
  }
}

const Incident* Correlator::openIncident(std::string_view fingerprint) const {
  auto it = conditions_.find(std::string(fingerprint));
  if (it == conditions_.end() || !it->second.open) return nullptr;
  auto record = incidents_.find(it->second.incident_id);
  return record == incidents_.end() ? nullptr : &record->second.incident;
}

}  // namespace orion::guardian
