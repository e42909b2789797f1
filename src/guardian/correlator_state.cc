// The correlator's state ↔ JSON values in the guardian's StateStore: conditions (fingerprints
// with their open/resolved history), open incidents, node windows and recent event ids.
#include <algorithm>

#include "guardian/correlator.h"
#include "guardian/correlator_store.h"

namespace orion::guardian {

namespace {

Json ns(WallTime t) { return static_cast<int64_t>(t.time_since_epoch().count()); }
WallTime fromNs(const Json& value) {
  return WallTime(std::chrono::duration_cast<WallTime::duration>(
      std::chrono::nanoseconds(value.get<int64_t>())));
}

contracts::IncidentSeverity severityFrom(const Json& value) {
  auto severity = contracts::parseIncidentSeverity(value.get<std::string>());
  if (!severity) throw std::runtime_error(severity.status().message());
  return *severity;
}

}  // namespace

const std::vector<std::string>& Correlator::tables() {
  static const std::vector<std::string> kTables = {"conditions", "incidents", "nodes", "events"};
  return kTables;
}

std::optional<Json> Correlator::valueOf(const Key& key) const {
  const auto& [table, name] = key;
  if (table == "conditions") {
    auto it = conditions_.find(name);
    if (it == conditions_.end()) return std::nullopt;
    const Condition& c = it->second;
    Json opens = Json::array();
    for (const OpenRecord& open : c.opens) {
      opens.push_back({ns(open.at), open.event_id, contracts::toString(open.severity)});
    }
    return Json{{"node", c.node},
                {"open", c.open},
                {"incident_id", c.incident_id},
                {"group_id", c.group_id},
                {"opens", opens},
                {"severity", contracts::toString(c.severity)},
                {"summary", c.summary},
                {"tags", c.tags},
                {"resolved_at", ns(c.resolved_at)},
                {"listed_resolved", c.listed_resolved},
                {"resolved_order", c.resolved_order}};
  }
  if (table == "incidents") {
    auto it = incidents_.find(name);
    if (it == incidents_.end()) return std::nullopt;
    const Record& r = it->second;
    return Json{{"kind", static_cast<int>(r.kind)},
                {"incident", r.incident.toJson()},
                {"members", r.members},
                {"last_published", ns(r.last_published)},
                {"last_activity", ns(r.last_activity)},
                {"activity_order", r.activity_order},
                {"pending_update", r.pending_update}};
  }
  if (table == "nodes") {
    auto it = nodes_.find(name);
    if (it == nodes_.end()) return std::nullopt;
    Json recent = Json::array();
    for (const RecentOpen& open : it->second.recent) {
      recent.push_back({ns(open.at), open.fingerprint, open.event_id});
    }
    return Json{{"recent", recent}, {"group_id", it->second.group_id}};
  }
  if (table == "events") {
    auto it = seen_.find(name);
    if (it == seen_.end()) return std::nullopt;
    return Json{{"sequence", it->second}};
  }
  return std::nullopt;
}

Status Correlator::restore(const std::string& table, const std::string& key, const Json& v) {
  try {
    if (table == "conditions") {
      Condition& c = conditions_[key];
      c.node = v.at("node").get<std::string>();
      c.open = v.at("open").get<bool>();
      c.incident_id = v.at("incident_id").get<std::string>();
      c.group_id = v.at("group_id").get<std::string>();
      for (const Json& open : v.at("opens")) {
        c.opens.push_back(OpenRecord{fromNs(open.at(0)), open.at(1).get<std::string>(),
                                     severityFrom(open.at(2))});
      }
      c.severity = severityFrom(v.at("severity"));
      c.summary = v.at("summary").get<std::string>();
      c.tags = v.at("tags").get<contracts::Tags>();
      c.resolved_at = fromNs(v.at("resolved_at"));
      c.listed_resolved = v.at("listed_resolved").get<bool>();
      c.resolved_order = v.at("resolved_order").get<uint64_t>();
      order_ = std::max(order_, c.resolved_order);
    } else if (table == "incidents") {
      auto incident = contracts::Incident::fromJson(v.at("incident"));
      if (!incident) throw std::runtime_error(incident.status().message());
      int kind = v.at("kind").get<int>();
      if (kind < 0 || kind > 2) throw std::runtime_error("unknown incident kind");
      Record& r = incidents_[key];
      r.kind = static_cast<Kind>(kind);
      r.incident = std::move(incident).value();
      r.members = v.at("members").get<std::set<std::string>>();
      r.last_published = fromNs(v.at("last_published"));
      r.last_activity = fromNs(v.at("last_activity"));
      r.pending_update = v.at("pending_update").get<bool>();
      r.activity_order = v.at("activity_order").get<uint64_t>();
      order_ = std::max(order_, r.activity_order);
    } else if (table == "nodes") {
      NodeState& node = nodes_[key];
      for (const Json& open : v.at("recent")) {
        node.recent.push_back(RecentOpen{fromNs(open.at(0)), open.at(1).get<std::string>(),
                                         open.at(2).get<std::string>()});
      }
      node.group_id = v.at("group_id").get<std::string>();
    } else if (table == "events") {
      uint64_t sequence = v.at("sequence").get<uint64_t>();
      seen_[key] = sequence;
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
  std::vector<std::pair<uint64_t, std::string>> active;
  for (const auto& [id, record] : incidents_) active.emplace_back(record.activity_order, id);
  std::sort(active.begin(), active.end());
  lru_.clear();
  pending_.clear();
  flapping_.clear();
  for (const auto& [order, id] : active) {
    Record& record = incidents_.at(id);
    lru_.push_back(id);
    record.lru = std::prev(lru_.end());
    if (record.pending_update) pending_.insert(id);
    if (record.kind == Kind::kFlapping) flapping_.insert(id);
  }
  std::vector<std::pair<uint64_t, std::string>> resolved;
  for (const auto& [fingerprint, condition] : conditions_) {
    if (condition.listed_resolved) resolved.emplace_back(condition.resolved_order, fingerprint);
  }
  std::sort(resolved.begin(), resolved.end());
  resolved_.clear();
  for (const auto& [at, fingerprint] : resolved) {
    resolved_.push_back(fingerprint);
    conditions_.at(fingerprint).resolved_pos = std::prev(resolved_.end());
  }
  std::vector<std::pair<uint64_t, std::string>> seen;
  for (const auto& [id, sequence] : seen_) seen.emplace_back(sequence, id);
  std::sort(seen.begin(), seen.end());
  seen_order_.clear();
  for (auto& [sequence, id] : seen) seen_order_.push_back(std::move(id));
  dirty_.clear();
}

Json Correlator::snapshot() const {
  Json out = Json::object();
  for (const std::string& table : tables()) out[table] = Json::object();
  for (const auto& [fingerprint, condition] : conditions_) {
    out["conditions"][fingerprint] = *valueOf({"conditions", fingerprint});
  }
  for (const auto& [id, record] : incidents_) out["incidents"][id] = *valueOf({"incidents", id});
  for (const auto& [name, node] : nodes_) out["nodes"][name] = *valueOf({"nodes", name});
  for (const auto& [id, sequence] : seen_) out["events"][id] = sequence;
  Json lru = Json::array();
  for (const std::string& id : lru_) lru.push_back(id);
  out["lru"] = lru;
  Json resolved = Json::array();
  for (const std::string& fingerprint : resolved_) resolved.push_back(fingerprint);
  out["resolved"] = resolved;
  Json order = Json::array();
  for (const std::string& id : seen_order_) order.push_back(id);
  out["event_order"] = order;
  return out;
}

void addChanges(const Correlator& correlator, state::Batch& batch) {
  for (const Correlator::Key& key : correlator.dirty()) {
    if (auto value = correlator.valueOf(key)) {
      batch.put(key.first, key.second, *value);
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
