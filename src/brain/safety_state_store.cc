// SafetyState ↔ JSON values in the brain's StateStore, one table per collection.
#include <algorithm>
#include <charconv>

#include "brain/safety_state.h"
#include "brain/state_io.h"

namespace orion::brain {

namespace {

Json ns(WallTime t) { return static_cast<int64_t>(t.time_since_epoch().count()); }
WallTime fromNs(const Json& value) {
  return WallTime(std::chrono::duration_cast<WallTime::duration>(
      std::chrono::nanoseconds(value.get<int64_t>())));
}
Json nsOrNull(const std::optional<WallTime>& t) { return t ? ns(*t) : Json(nullptr); }
std::optional<WallTime> optionalNs(const Json& value) {
  if (value.is_null()) return std::nullopt;
  return fromNs(value);
}

Json times(const std::deque<WallTime>& window) {
  Json out = Json::array();
  for (WallTime t : window) out.push_back(ns(t));
  return out;
}
std::deque<WallTime> timesFrom(const Json& value) {
  std::deque<WallTime> out;
  for (const Json& t : value) out.push_back(fromNs(t));
  std::sort(out.begin(), out.end());
  return out;
}

Json breakerJson(const CircuitBreaker& b) {
  return {{"failures", times(b.failures)},
          {"opened_at", nsOrNull(b.opened_at)},
          {"trial", b.trial_action_id}};
}

Json inFlightJson(const InFlight& f) {
  return {{"action_id", f.action_id},     {"decision_id", f.decision_id},
          {"action_type", f.action_type}, {"cooldown_key", f.cooldown_key},
          {"target", f.target},           {"automatic", f.automatic},
          {"started", ns(f.started)}};
}
InFlight inFlightFrom(const Json& v) {
  return InFlight{v.at("action_id").get<std::string>(),
                  v.at("decision_id").get<std::string>(),
                  v.at("action_type").get<std::string>(),
                  v.at("cooldown_key").get<std::string>(),
                  v.at("target").get<std::string>(),
                  v.at("automatic").get<bool>(),
                  fromNs(v.at("started"))};
}

Json decisionJson(const DecisionRecord& d) {
  return {{"decision_id", d.decision_id},
          {"incident_id", d.incident_id},
          {"rule", d.rule},
          {"target", d.target},
          {"action_type", d.action_type},
          {"step", d.step},
          {"type", contracts::toString(d.type)},
          {"at", ns(d.at)}};
}
DecisionRecord decisionFrom(const Json& v) {
  DecisionRecord d;
  d.decision_id = v.at("decision_id").get<std::string>();
  d.incident_id = v.at("incident_id").get<std::string>();
  d.rule = v.at("rule").get<std::string>();
  d.target = v.at("target").get<std::string>();
  d.action_type = v.at("action_type").get<std::string>();
  d.step = v.at("step").get<size_t>();
  auto type = contracts::parseDecisionType(v.at("type").get<std::string>());
  if (!type) throw std::runtime_error(type.status().message());
  d.type = *type;
  d.at = fromNs(v.at("at"));
  return d;
}

Json incidentJson(const TrackedIncident& i) {
  return {{"incident", i.incident.toJson()},
          {"revisions", i.revisions},
          {"last_actionable", nsOrNull(i.last_actionable)},
          {"retry_at", nsOrNull(i.retry_at)},
          {"awaiting_outcome", i.awaiting_outcome},
          {"updated", ns(i.updated)}};
}

Json autonomyJson(const AutonomyRecord& a) {
  return {{"level", contracts::toString(a.level)},
          {"configured_when_set", contracts::toString(a.configured_when_set)},
          {"change_id", a.change_id},
          {"changed_by", a.changed_by},
          {"uid", a.uid},
          {"reason", a.reason},
          {"at", ns(a.at)}};
}
contracts::AutonomyLevel levelFrom(const Json& value) {
  auto level = contracts::parseAutonomyLevel(value.get<std::string>());
  if (!level) throw std::runtime_error(level.status().message());
  return *level;
}

template <typename Map, typename ToJson>
std::optional<Json> lookup(const Map& map, const std::string& key, ToJson to_json) {
  auto it = map.find(key);
  if (it == map.end()) return std::nullopt;
  return to_json(it->second);
}

template <typename Map, typename ToJson>
Json tableJson(const Map& map, ToJson to_json) {
  Json out = Json::object();
  for (const auto& [key, value] : map) out[key] = to_json(value);
  return out;
}

}  // namespace

const std::vector<std::string>& SafetyState::tables() {
  static const std::vector<std::string> kTables = {"cooldowns", "rates",     "budget",   "breakers",
                                                   "ladders",   "inflight",  "finished", "orphans",
                                                   "decisions", "incidents", "autonomy", "outbox"};
  return kTables;
}

std::optional<Json> SafetyState::valueOf(const Key& key) const {
  const auto& [table, name] = key;
  if (table == "cooldowns") {
    return lookup(cooldowns_, name, [](WallTime t) { return Json{{"at", ns(t)}}; });
  }
  if (table == "rates") {
    return lookup(rates_, name, [](const auto& w) { return Json{{"times", times(w)}}; });
  }
  if (table == "budget") {
    if (budget_.empty()) return std::nullopt;
    return Json{{"times", times(budget_)}};
  }
  if (table == "breakers") return lookup(breakers_, name, breakerJson);
  if (table == "ladders") {
    return lookup(ladders_, name, [](const LadderCount& l) {
      return Json{{"failures", l.failures}, {"last_failure", ns(l.last_failure)}};
    });
  }
  if (table == "inflight") return lookup(in_flight_, name, inFlightJson);
  if (table == "finished") {
    return lookup(finished_, name, [](WallTime t) { return Json{{"at", ns(t)}}; });
  }
  if (table == "orphans") {
    return lookup(orphans_, name, [](const auto& o) {
      return Json{{"at", ns(o.first)}, {"outcome", o.second}};
    });
  }
  if (table == "decisions") return lookup(decisions_, name, decisionJson);
  if (table == "incidents") return lookup(incidents_, name, incidentJson);
  if (table == "autonomy") {
    if (!autonomy_) return std::nullopt;
    return autonomyJson(*autonomy_);
  }
  if (table == "outbox") {
    // The outbox is in sequence order (appended in order, sorted when restored).
    uint64_t sequence = 0;
    auto [end, error] = std::from_chars(name.data(), name.data() + name.size(), sequence);
    if (error != std::errc() || end != name.data() + name.size()) return std::nullopt;
    auto it = std::lower_bound(
        outbox_.begin(), outbox_.end(), sequence,
        [](const OutboxEntry& entry, uint64_t wanted) { return entry.sequence < wanted; });
    if (it == outbox_.end() || it->sequence != sequence) return std::nullopt;
    return Json{{"sequence", it->sequence}, {"type", it->type}, {"document", it->document}};
  }
  return std::nullopt;
}

Status SafetyState::restore(const std::string& table, const std::string& key, const Json& v) {
  try {
    if (table == "cooldowns") {
      cooldowns_.set(key, fromNs(v.at("at")));
    } else if (table == "rates") {
      rates_[key] = timesFrom(v.at("times"));
    } else if (table == "budget") {
      budget_ = timesFrom(v.at("times"));
    } else if (table == "breakers") {
      CircuitBreaker b;
      b.failures = timesFrom(v.at("failures"));
      b.opened_at = optionalNs(v.at("opened_at"));
      b.trial_action_id = v.at("trial").get<std::string>();
      breakers_.set(key, std::move(b));
    } else if (table == "ladders") {
      ladders_.set(key, LadderCount{v.at("failures").get<int64_t>(), fromNs(v.at("last_failure"))});
    } else if (table == "inflight") {
      InFlight f = inFlightFrom(v);
      in_flight_by_key_[f.cooldown_key] = key;
      in_flight_.set(key, std::move(f));
    } else if (table == "finished") {
      finished_.set(key, fromNs(v.at("at")));
    } else if (table == "orphans") {
      orphans_.set(key, {fromNs(v.at("at")), v.at("outcome")});
    } else if (table == "decisions") {
      decisions_.set(key, decisionFrom(v));
    } else if (table == "incidents") {
      auto incident = contracts::Incident::fromJson(v.at("incident"));
      if (!incident) throw std::runtime_error(incident.status().message());
      TrackedIncident t;
      t.incident = std::move(incident).value();
      t.revisions = v.at("revisions").get<std::vector<std::string>>();
      t.last_actionable = optionalNs(v.at("last_actionable"));
      t.retry_at = optionalNs(v.at("retry_at"));
      t.awaiting_outcome = v.at("awaiting_outcome").get<bool>();
      t.updated = fromNs(v.at("updated"));
      incidents_.set(key, std::move(t));
    } else if (table == "autonomy") {
      AutonomyRecord a;
      a.level = levelFrom(v.at("level"));
      a.configured_when_set = levelFrom(v.at("configured_when_set"));
      a.change_id = v.at("change_id").get<std::string>();
      a.changed_by = v.at("changed_by").get<std::string>();
      a.uid = v.at("uid").get<int64_t>();
      a.reason = v.at("reason").get<std::string>();
      a.at = fromNs(v.at("at"));
      autonomy_ = std::move(a);
    } else if (table == "outbox") {
      OutboxEntry entry{v.at("sequence").get<uint64_t>(), v.at("type").get<std::string>(),
                        v.at("document")};
      auto position = std::upper_bound(
          outbox_.begin(), outbox_.end(), entry.sequence,
          [](uint64_t sequence, const OutboxEntry& e) { return sequence < e.sequence; });
      next_sequence_ = std::max(next_sequence_, entry.sequence + 1);
      outbox_.insert(position, std::move(entry));
    } else {
      return {StatusCode::kDataLoss, "brain state: unknown table '" + table + "'"};
    }
  } catch (const std::exception& e) {
    return {StatusCode::kDataLoss,
            "brain state: table '" + table + "' key '" + key + "' is unreadable: " + e.what()};
  }
  return Status::ok();
}

Json SafetyState::snapshot() const {
  Json out = Json::object();
  out["cooldowns"] = tableJson(cooldowns_, [](WallTime t) { return ns(t); });
  out["rates"] = tableJson(rates_, [](const auto& w) { return times(w); });
  out["budget"] = times(budget_);
  out["breakers"] = tableJson(breakers_, breakerJson);
  out["ladders"] = tableJson(ladders_, [](const LadderCount& l) {
    return Json{{"failures", l.failures}, {"last_failure", ns(l.last_failure)}};
  });
  out["inflight"] = tableJson(in_flight_, inFlightJson);
  out["inflight_by_key"] = tableJson(in_flight_by_key_, [](const std::string& id) { return id; });
  out["finished"] = tableJson(finished_, [](WallTime t) { return ns(t); });
  out["orphans"] = tableJson(orphans_, [](const auto& o) {
    return Json{{"at", ns(o.first)}, {"outcome", o.second}};
  });
  out["decisions"] = tableJson(decisions_, decisionJson);
  out["incidents"] = tableJson(incidents_, incidentJson);
  out["autonomy"] = autonomy_ ? autonomyJson(*autonomy_) : Json(nullptr);
  Json outbox = Json::array();
  for (const OutboxEntry& e : outbox_) {
    outbox.push_back({{"sequence", e.sequence}, {"type", e.type}, {"document", e.document}});
  }
  out["outbox"] = outbox;
  return out;
}

// ---- the StateStore ------------------------------------------------------------------------

Status loadState(const state::StateStore& store, SafetyState& state) {
  for (const std::string& table : SafetyState::tables()) {
    auto rows = store.scan(table);
    if (!rows) return rows.status().withContext("loading brain state table '" + table + "'");
    for (const auto& [key, value] : *rows) ORION_RETURN_IF_ERROR(state.restore(table, key, value));
  }
  state.clearDirty();
  return Status::ok();
}

Status flushState(state::StateStore& store, SafetyState& state) {
  if (state.dirty().empty()) return Status::ok();
  state::Batch batch;
  for (const SafetyState::Key& key : state.dirty()) {
    if (auto value = state.valueOf(key)) {
      batch.put(key.first, key.second, *value);
    } else {
      batch.erase(key.first, key.second);
    }
  }
  ORION_RETURN_IF_ERROR(store.apply(batch));
  state.clearDirty();
  return Status::ok();
}

}  // namespace orion::brain
