// SafetyState ↔ JSON values in the brain's StateStore, one table per collection.
#include <algorithm>
#include <charconv>

#include "brain/safety_state.h"
#include "brain/state_io.h"
#include "common/json_writer.h"

namespace orion::brain {

namespace {

WallTime fromNs(const Json& value) { return wallTimeFromNanos(value.get<int64_t>()); }
std::optional<WallTime> optionalNs(const Json& value) {
  if (value.is_null()) return std::nullopt;
  return fromNs(value);
}

std::deque<WallTime> timesFrom(const Json& value) {
  std::deque<WallTime> out;
  for (const Json& t : value) out.push_back(fromNs(t));
  std::sort(out.begin(), out.end());
  return out;
}

// ---- values as JSON text, written without a Json tree (they are written at every decision) ----

void writeTime(JsonObjectWriter& value, std::string_view key, WallTime t) {
  value.integer(key, nanosSinceEpoch(t));
}
void writeOptionalTime(JsonObjectWriter& value, std::string_view key,
                       const std::optional<WallTime>& t) {
  if (t) {
    value.integer(key, nanosSinceEpoch(*t));
  } else {
    value.null(key);
  }
}
void writeTimes(JsonObjectWriter& value, std::string_view key, const std::deque<WallTime>& times) {
  JsonArrayWriter out(value.member(key));
  for (WallTime t : times) out.integer(nanosSinceEpoch(t));
}

void writeBreaker(std::string& out, const CircuitBreaker& b) {
  JsonObjectWriter value(out);
  writeTimes(value, "failures", b.failures);
  writeOptionalTime(value, "opened_at", b.opened_at);
  value.string("trial", b.trial_action_id);
}

void writeInFlight(std::string& out, const InFlight& f) {
  JsonObjectWriter value(out);
  value.string("action_id", f.action_id)
      .string("decision_id", f.decision_id)
      .string("action_type", f.action_type)
      .string("cooldown_key", f.cooldown_key)
      .string("target", f.target)
      .boolean("automatic", f.automatic);
  writeTime(value, "started", f.started);
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

void writeDecision(std::string& out, const DecisionRecord& d) {
  JsonObjectWriter value(out);
  value.string("decision_id", d.decision_id)
      .string("incident_id", d.incident_id)
      .string("rule", d.rule)
      .string("target", d.target)
      .string("action_type", d.action_type)
      .unsignedInteger("step", d.step)
      .string("type", contracts::toString(d.type));
  writeTime(value, "at", d.at);
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

void writeIncident(std::string& out, const TrackedIncident& i) {
  JsonObjectWriter value(out);
  i.incident.appendJsonText(value.member("incident"));
  {
    JsonArrayWriter revisions(value.member("revisions"));
    for (const std::string& revision : i.revisions) revisions.string(revision);
  }
  writeOptionalTime(value, "last_actionable", i.last_actionable);
  writeOptionalTime(value, "retry_at", i.retry_at);
  value.boolean("awaiting_outcome", i.awaiting_outcome);
  writeTime(value, "updated", i.updated);
}

void writeAutonomy(std::string& out, const AutonomyRecord& a) {
  JsonObjectWriter value(out);
  value.string("level", contracts::toString(a.level))
      .string("configured_when_set", contracts::toString(a.configured_when_set))
      .string("change_id", a.change_id)
      .string("changed_by", a.changed_by)
      .integer("uid", a.uid)
      .string("reason", a.reason);
  writeTime(value, "at", a.at);
}
contracts::AutonomyLevel levelFrom(const Json& value) {
  auto level = contracts::parseAutonomyLevel(value.get<std::string>());
  if (!level) throw std::runtime_error(level.status().message());
  return *level;
}

// Writes the value under `key` of `map` with `write`; false when there is none.
template <typename Map, typename Write>
bool writeFound(const Map& map, const std::string& key, std::string& out, Write write) {
  auto it = map.find(key);
  if (it == map.end()) return false;
  write(out, it->second);
  return true;
}

}  // namespace

const std::vector<std::string>& SafetyState::tables() {
  static const std::vector<std::string> kTables = {"cooldowns", "rates",     "budget",   "breakers",
                                                   "ladders",   "inflight",  "finished", "orphans",
                                                   "decisions", "incidents", "autonomy", "outbox"};
  return kTables;
}

bool SafetyState::appendValue(const Key& key, std::string& out) const {
  const auto& [table, name] = key;
  auto at = [](std::string& text, WallTime t) {
    JsonObjectWriter value(text);
    writeTime(value, "at", t);
  };
  if (table == "cooldowns") return writeFound(cooldowns_, name, out, at);
  if (table == "rates") {
    return writeFound(rates_, name, out, [](std::string& text, const std::deque<WallTime>& w) {
      JsonObjectWriter value(text);
      writeTimes(value, "times", w);
    });
  }
  if (table == "budget") {
    if (budget_.empty()) return false;
    JsonObjectWriter value(out);
    writeTimes(value, "times", budget_);
    return true;
  }
  if (table == "breakers") return writeFound(breakers_, name, out, writeBreaker);
  if (table == "ladders") {
    return writeFound(ladders_, name, out, [](std::string& text, const LadderCount& l) {
      JsonObjectWriter value(text);
      value.integer("failures", l.failures);
      writeTime(value, "last_failure", l.last_failure);
    });
  }
  if (table == "inflight") return writeFound(in_flight_, name, out, writeInFlight);
  if (table == "finished") return writeFound(finished_, name, out, at);
  if (table == "orphans") {
    return writeFound(orphans_, name, out, [](std::string& text, const auto& o) {
      JsonObjectWriter value(text);
      writeTime(value, "at", o.first);
      value.json("outcome", o.second);
    });
  }
  if (table == "decisions") return writeFound(decisions_, name, out, writeDecision);
  if (table == "incidents") return writeFound(incidents_, name, out, writeIncident);
  if (table == "autonomy") {
    if (!autonomy_) return false;
    writeAutonomy(out, *autonomy_);
    return true;
  }
  if (table == "outbox") {
    // The outbox is in sequence order (appended in order, sorted when restored).
    uint64_t sequence = 0;
    auto [end, error] = std::from_chars(name.data(), name.data() + name.size(), sequence);
    if (error != std::errc() || end != name.data() + name.size()) return false;
    auto it = std::lower_bound(
        outbox_.begin(), outbox_.end(), sequence,
        [](const OutboxEntry& entry, uint64_t wanted) { return entry.sequence < wanted; });
    if (it == outbox_.end() || it->sequence != sequence) return false;
    JsonObjectWriter value(out);
    value.member("document") += it->text;
    value.unsignedInteger("sequence", it->sequence).string("type", it->type);
    return true;
  }
  return false;
}

std::optional<Json> SafetyState::valueOf(const Key& key) const {
  return parseWritten([&](std::string& out) { return appendValue(key, out); });
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
                        v.at("document"), dumpJson(v.at("document"))};
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
  // Every stored value as the store gets it, plus the in-flight index rebuilt from them.
  Json out = Json::object();
  auto add = [this, &out](const std::string& table, const std::string& key) {
    out[table][key] = *valueOf({table, key});
  };
  for (const std::string& table : tables()) out[table] = Json::object();
  for (const auto& entry : cooldowns_) add("cooldowns", entry.first);
  for (const auto& entry : rates_) add("rates", entry.first);
  if (!budget_.empty()) add("budget", "automatic");
  for (const auto& entry : breakers_) add("breakers", entry.first);
  for (const auto& entry : ladders_) add("ladders", entry.first);
  for (const auto& entry : in_flight_) add("inflight", entry.first);
  for (const auto& entry : finished_) add("finished", entry.first);
  for (const auto& entry : orphans_) add("orphans", entry.first);
  for (const auto& entry : decisions_) add("decisions", entry.first);
  for (const auto& entry : incidents_) add("incidents", entry.first);
  if (autonomy_) add("autonomy", "current");
  for (const OutboxEntry& entry : outbox_) add("outbox", std::to_string(entry.sequence));
  out["inflight_by_key"] = Json(in_flight_by_key_);
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
  batch.reserve(state.dirty().size());
  std::string value;  // reused: each value is written here, then copied out at its exact size
  for (const SafetyState::Key& key : state.dirty()) {
    value.clear();
    if (state.appendValue(key, value)) {
      batch.putText(key.first, key.second, value);
    } else {
      batch.erase(key.first, key.second);
    }
  }
  ORION_RETURN_IF_ERROR(store.apply(batch));
  state.clearDirty();
  return Status::ok();
}

}  // namespace orion::brain
