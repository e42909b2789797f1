// The correlator's state ↔ JSON values in the guardian's StateStore: conditions (fingerprints
// with their open/resolved history), open incidents, node windows and recent event ids.
#include <algorithm>

#include "common/json_writer.h"
#include "guardian/correlator.h"
#include "guardian/correlator_store.h"

namespace orion::guardian {

namespace {

WallTime fromNs(const Json& value) { return wallTimeFromNanos(value.get<int64_t>()); }

contracts::IncidentSeverity severityFrom(const Json& value) {
  auto severity = contracts::parseIncidentSeverity(value.get<std::string>());
  if (!severity) throw std::runtime_error(severity.status().message());
  return *severity;
}

// Fingerprints are stored as their text; anything else is not one this correlator wrote.
FingerprintValue fingerprintFrom(const std::string& text) {
  auto value = parseFingerprint(text);
  if (!value) throw std::runtime_error("'" + text + "' is not a fingerprint");
  return *value;
}

}  // namespace

const std::vector<std::string>& Correlator::tables() {
  static const std::vector<std::string> kTables = {"conditions", "incidents", "nodes", "events"};
  return kTables;
}

bool Correlator::appendValue(const Key& key, std::string& out) const {
  // Written straight to text (no Json tree): this runs for every key each event changes.
  const auto& [table, name] = key;
  if (table == "conditions") {
    auto fingerprint = parseFingerprint(name);
    const Condition* condition = fingerprint ? findCondition(*fingerprint) : nullptr;
    if (condition == nullptr) return false;
    const Condition& c = *condition;
    JsonObjectWriter value(out);
    value.string("node", c.node)
        .boolean("open", c.open)
        .string("incident_id", c.incident.id)
        .string("group_id", c.group.id);
    {
      JsonArrayWriter opens(value.member("opens"));
      for (const OpenRecord& open : c.opens) {
        JsonArrayWriter(opens.element())
            .integer(nanosSinceEpoch(open.at))
            .string(open.event_id)
            .string(contracts::toString(open.severity));
      }
    }
    value.string("severity", contracts::toString(c.severity)).string("summary", c.summary);
    {
      JsonObjectWriter tags(value.member("tags"));
      for (size_t i = 0; i < c.tags.size(); ++i)
        tags.string(c.tags.at(i).first, c.tags.at(i).second);
    }
    value.integer("resolved_at", nanosSinceEpoch(c.resolved_at))
        .boolean("listed_resolved", c.listed_resolved)
        .unsignedInteger("resolved_order", c.resolved_order);
    return true;
  }
  if (table == "incidents") {
    const Record* record = findRecord(name);
    if (record == nullptr) return false;
    const Record& r = *record;
    JsonObjectWriter value(out);
    value.integer("kind", static_cast<int>(r.kind));
    r.incident().appendJsonText(value.member("incident"));
    {
      JsonArrayWriter members(value.member("members"));
      for (FingerprintValue member : r.members) members.string(fingerprintText(member));
    }
    value.integer("last_published", nanosSinceEpoch(r.last_published))
        .integer("last_activity", nanosSinceEpoch(r.last_activity))
        .unsignedInteger("activity_order", r.activity_order)
        .boolean("pending_update", r.pending_update);
    return true;
  }
  if (table == "nodes") {
    const NodeState* node = findNode(name);
    if (node == nullptr) return false;
    JsonObjectWriter value(out);
    {
      JsonArrayWriter recent(value.member("recent"));
      for (const RecentOpen& open : node->recent) {
        JsonArrayWriter(recent.element())
            .integer(nanosSinceEpoch(open.at))
            .string(fingerprintText(open.fingerprint));
      }
    }
    value.string("group_id", node->group.id);
    return true;
  }
  if (table == "events") {
    auto sequence = seen_.sequenceOf(name);
    if (!sequence) return false;
    JsonObjectWriter(out).unsignedInteger("sequence", *sequence);
    return true;
  }
  return false;
}

std::optional<Json> Correlator::valueOf(const Key& key) const {
  return parseWritten([&](std::string& out) { return appendValue(key, out); });
}

Status Correlator::restore(const std::string& table, const std::string& key, const Json& v) {
  try {
    if (table == "conditions") {
      FingerprintValue fingerprint = fingerprintFrom(key);
      Condition* known = findCondition(fingerprint);
      Condition& c = known != nullptr ? *known : addCondition(fingerprint);
      c.node = v.at("node").get<std::string>();
      c.open = v.at("open").get<bool>();
      c.incident.clear();
      c.incident.id = v.at("incident_id").get<std::string>();
      c.group.clear();
      c.group.id = v.at("group_id").get<std::string>();
      for (const Json& open : v.at("opens")) {
        c.opens.push_back(OpenRecord{fromNs(open.at(0)), open.at(1).get<std::string>(),
                                     severityFrom(open.at(2))});
      }
      c.severity = severityFrom(v.at("severity"));
      c.summary = v.at("summary").get<std::string>();
      c.tags = TagList(v.at("tags").get<contracts::Tags>());
      c.resolved_at = fromNs(v.at("resolved_at"));
      c.listed_resolved = v.at("listed_resolved").get<bool>();
      c.resolved_order = v.at("resolved_order").get<uint64_t>();
      order_ = std::max(order_, c.resolved_order);
    } else if (table == "incidents") {
      auto incident = contracts::Incident::fromJson(v.at("incident"));
      if (!incident) throw std::runtime_error(incident.status().message());
      if (incident->incident_id != key) {
        throw std::runtime_error("its incident_id is '" + incident->incident_id + "'");
      }
      int kind = v.at("kind").get<int>();
      if (kind < 0 || kind > 2) throw std::runtime_error("unknown incident kind");
      FingerprintSet members;
      for (const Json& member : v.at("members")) {
        members.insert(fingerprintFrom(member.get<std::string>()));
      }
      Record* existing = findRecord(key);
      Record& r = existing != nullptr ? *existing : allocateRecord(key);
      r.kind = static_cast<Kind>(kind);
      edit(r) = std::move(incident).value();  // the same id it is indexed under
      r.members = std::move(members);
      r.last_published = fromNs(v.at("last_published"));
      r.last_activity = fromNs(v.at("last_activity"));
      r.pending_update = v.at("pending_update").get<bool>();
      r.activity_order = v.at("activity_order").get<uint64_t>();
      order_ = std::max(order_, r.activity_order);
    } else if (table == "nodes") {
      NodeState& node = nodeNamed(key);
      for (const Json& open : v.at("recent")) {
        // [at, fingerprint]; state written before stop 21 has the opening event id third,
        // which is no longer kept.
        node.recent.push_back(
            RecentOpen{fromNs(open.at(0)), fingerprintFrom(open.at(1).get<std::string>())});
      }
      node.group.clear();
      node.group.id = v.at("group_id").get<std::string>();
    } else if (table == "events") {
      uint64_t sequence = v.at("sequence").get<uint64_t>();
      restored_events_[key] = sequence;
      seen_sequence_ = std::max(seen_sequence_, sequence);
    } else {
      return {StatusCode::kDataLoss, "guardian state: unknown table '" + table + "'"};
    }
  } catch (const std::exception& e) {
    return {StatusCode::kDataLoss,
            "guardian state: table '" + table + "' key '" + key + "' is unreadable: " + e.what()};
  }
  return Status::ok();
}

void Correlator::finishRestore() {
  // Least recently active incidents are evicted first; oldest resolutions expire first; oldest
  // event ids are forgotten first: each order is rebuilt from its stored sequence.
  std::vector<std::pair<uint64_t, std::string_view>> active;
  records_.forEachLive([&active](const Record& record) {
    active.emplace_back(record.activity_order, record.incident().incident_id);
  });
  std::sort(active.begin(), active.end());
  lru_.clear();
  pending_.clear();
  flapping_.clear();
  for (const auto& [order, id] : active) {
    Record& record = *findRecord(id);
    lru_.pushBack(record);
    if (record.pending_update) pending_.pushBack(record);
    if (record.kind == Kind::kFlapping) flapping_.pushBack(record);
  }
  std::vector<std::pair<uint64_t, FingerprintValue>> resolved;
  conditions_.forEachLive([&resolved](const Condition& condition) {
    if (condition.listed_resolved) {
      resolved.emplace_back(condition.resolved_order, condition.fingerprint);
    }
  });
  std::sort(resolved.begin(), resolved.end());
  resolved_.clear();
  for (const auto& [at, fingerprint] : resolved) resolved_.pushBack(*findCondition(fingerprint));

  for (size_t i = 0; i < seen_.size(); ++i) {
    restored_events_.try_emplace(seen_.idAt(i), seen_.sequenceAt(i));
  }
  std::vector<std::pair<uint64_t, std::string_view>> seen;
  for (const auto& [id, sequence] : restored_events_) seen.emplace_back(sequence, id);
  std::sort(seen.begin(), seen.end());
  seen_.clear();
  for (const auto& [sequence, id] : seen) seen_.add(id, sequence);
  restored_events_.clear();
  clearDirty();
}

Json Correlator::snapshot() const {
  Json out = Json::object();
  for (const std::string& table : tables()) out[table] = Json::object();
  conditions_.forEachLive([this, &out](const Condition& condition) {
    std::string text = fingerprintText(condition.fingerprint);
    out["conditions"][text] = *valueOf({"conditions", text});
  });
  records_.forEachLive([this, &out](const Record& record) {
    const std::string& id = record.incident().incident_id;
    out["incidents"][id] = *valueOf({"incidents", id});
  });
  nodes_.forEachLive([this, &out](const NodeState& node) {
    out["nodes"][node.name] = *valueOf({"nodes", node.name});
  });
  Json order = Json::array();
  for (size_t i = 0; i < seen_.size(); ++i) {
    out["events"][seen_.idAt(i)] = seen_.sequenceAt(i);
    order.push_back(seen_.idAt(i));
  }
  Json lru = Json::array();
  for (const Record* r = lru_.front(); r != nullptr; r = lru_.next(*r)) {
    lru.push_back(r->incident().incident_id);
  }
  out["lru"] = lru;
  Json resolved = Json::array();
  for (const Condition* c = resolved_.front(); c != nullptr; c = resolved_.next(*c)) {
    resolved.push_back(fingerprintText(c->fingerprint));
  }
  out["resolved"] = resolved;
  out["event_order"] = order;
  return out;
}

// ---- what changed ------------------------------------------------------------------------

bool Correlator::hasChanges() const {
  return !changed_conditions_.empty() || !changed_records_.empty() ||
         !erased_incident_ids_.empty() || !changed_nodes_.empty() ||
         seen_sequence_ > saved_sequence_ || seen_.forgottenCount() > 0;
}

std::vector<Correlator::Key> Correlator::changedKeys() const {
  std::vector<Key> keys;
  for (const auto& changed : changed_conditions_) {
    keys.emplace_back("conditions", fingerprintText(changed.key));
  }
  for (const RecordRef& ref : changed_records_) {
    if (records_.holds(ref.slot, ref.generation)) {
      keys.emplace_back("incidents", records_[ref.slot].incident().incident_id);
    }
  }
  for (const std::string& id : erased_incident_ids_) keys.emplace_back("incidents", id);
  for (const auto& changed : changed_nodes_) keys.emplace_back("nodes", changed.key);
  for (size_t i = seen_.size(); i-- > 0 && seen_.sequenceAt(i) > saved_sequence_;) {
    keys.emplace_back("events", seen_.idAt(i));
  }
  for (size_t i = 0; i < seen_.forgottenCount(); ++i) {
    keys.emplace_back("events", seen_.forgottenAt(i));
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

void Correlator::clearDirty() {
  for (const auto& changed : changed_conditions_) {
    if (conditions_.holds(changed.slot, changed.generation)) {
      conditions_[changed.slot].changed = false;
    }
  }
  for (const RecordRef& ref : changed_records_) {
    if (records_.holds(ref.slot, ref.generation)) records_[ref.slot].changed = false;
  }
  for (const auto& changed : changed_nodes_) {
    if (nodes_.holds(changed.slot, changed.generation)) nodes_[changed.slot].changed = false;
  }
  changed_conditions_.clear();
  changed_records_.clear();
  erased_incident_ids_.clear();
  changed_nodes_.clear();
  saved_sequence_ = seen_sequence_;
  seen_.releaseForgotten();
}

void addChanges(const Correlator& correlator, state::Batch& batch) {
  std::string value;  // reused: each value is written here, then copied out at its exact size
  const std::vector<Correlator::Key> keys = correlator.changedKeys();
  batch.reserve(batch.size() + keys.size());
  for (const Correlator::Key& key : keys) {
    value.clear();
    if (correlator.appendValue(key, value)) {
      batch.putText(key.first, key.second, value);
    } else {
      batch.erase(key.first, key.second);
    }
  }
}

Status loadCorrelator(const state::StateStore& store, Correlator& correlator) {
  for (const std::string& table : Correlator::tables()) {
    auto rows = store.scan(table);
    if (!rows) return rows.status().withContext("guardian: loading '" + table + "'");
    for (const auto& [key, value] : *rows) {
      ORION_RETURN_IF_ERROR(correlator.restore(table, key, value));
    }
  }
  correlator.finishRestore();
  return Status::ok();
}

}  // namespace orion::guardian
