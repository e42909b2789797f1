#include "guardian/correlator.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "guardian/fingerprint.h"

namespace orion::guardian {
namespace {

using contracts::Event;
using contracts::EventSeverity;
using contracts::Incident;
using contracts::IncidentState;

std::string text(const Json& data, std::string_view key) {
  if (!data.is_object()) return "";
  auto it = data.find(key);
  if (it == data.end() || it->is_null()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_float()) {
    // Two decimals are plenty for a percentage or a load average, and trailing zeros only add
    // noise ("93.10" → "93.1", "90.00" → "90").
    std::string out = fmt::format("{:.2f}", it->get<double>());
    while (!out.empty() && out.back() == '0') out.pop_back();
    if (!out.empty() && out.back() == '.') out.pop_back();
    return out;
  }
  return dumpJson(*it);
}

// The watcher's units are words ("percent", "ratio"); a person reads "93.1%" and "4.5".
std::string withUnit(const std::string& value, const std::string& unit) {
  if (unit.empty() || unit == "ratio") return value;
  if (unit == "percent" || unit == "%") return value + "%";
  return value + " " + unit;
}

// Keeps the opening event (what started it) and the most recent ones (what it looks like now),
// so a long-lived incident stays a bounded document.
void addEvent(Incident& incident, const std::string& event_id, WallTime time, size_t max_ids) {
  if (incident.event_ids.size() < std::max<size_t>(max_ids, 1)) {
    incident.event_ids.push_back(event_id);
  } else if (incident.event_ids.size() > 1) {
    incident.event_ids.erase(incident.event_ids.begin() + 1);
    incident.event_ids.push_back(event_id);
  }
  incident.window_start = std::min(incident.window_start, time);
  incident.window_end = std::max(incident.window_end, time);
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
    case Verdict::kDuplicate:
      return "duplicate";
    case Verdict::kIgnored:
      return "ignored";
  }
  return "unknown";
}

std::string_view incidentTypeFor(std::string_view event_type) {
  std::string_view condition = conditionTypeOf(event_type);
  if (condition == "service_down") return "service_outage";
  if (condition == "metric_threshold_exceeded") return "metric_anomaly";
  if (condition == "edge_device_offline") return "edge_device_failure";
  return "correlation_detected";
}

std::string describeEvent(const Event& event) {
  const Json& data = event.data;
  std::string metric = text(data, "metric");
  std::string value = text(data, "value");
  if (!metric.empty() && !value.empty()) {
    std::string unit = text(data, "unit");
    std::string resource = text(data, "resource");
    std::string out = metric;
    if (!resource.empty()) out += " of " + resource;
    out += " is " + withUnit(value, unit);
    std::string threshold = text(data, "threshold");
    if (!threshold.empty() && text(data, "state") == "recovered") {
      out += " (back below " + withUnit(threshold, unit) + ")";
    } else if (!threshold.empty()) {
      std::string level = text(data, "level");
      if (level.empty()) level = std::string(contracts::toString(event.severity));
      out += " (" + level + " threshold " + withUnit(threshold, unit) + ")";
    }
    return out;
  }
  std::string service = text(data, "service_name");
  if (!service.empty()) {
    std::string_view condition = conditionTypeOf(event.event_type);
    if (event.event_type == "service_down") return "service " + service + " is down";
    if (event.event_type == "service_up") return "service " + service + " is up";
    return fmt::format("{} for service {}", condition, service);
  }
  std::string resource = text(data, "resource");
  if (!resource.empty()) return fmt::format("{} on {}", event.event_type, resource);
  return fmt::format("{} reported by {}", event.event_type, event.source);
}

Correlator::Correlator(CorrelatorOptions options, const Clock& clock)
    : options_(options), clock_(clock) {}

Correlation Correlator::correlate(const Event& event) const {
  Correlation c;
  c.event_id = event.event_id;
  c.event_time = event.timestamp;
  c.event_severity = event.severity;
  if (seen(event.event_id)) {
    c.verdict = Verdict::kDuplicate;
    return c;
  }
  c.fingerprint = fingerprintOf(event);
  const bool recovery = isRecovery(event);
  auto it = open_.find(c.fingerprint);

  if (it == open_.end()) {
    if (recovery || event.severity == EventSeverity::kInfo) {
      c.verdict = Verdict::kIgnored;
      return c;
    }
    Incident incident;
    incident.incident_id = incidentIdFor(c.fingerprint, event.event_id);
    incident.timestamp = clock_.now();
    incident.incident_type = std::string(incidentTypeFor(event.event_type));
    incident.severity = contracts::incidentSeverityFor(event.severity);
    incident.event_ids = {event.event_id};
    incident.window_start = event.timestamp;
    incident.window_end = event.timestamp;
    incident.state = IncidentState::kOpen;
    incident.description = describeEvent(event);
    std::string node = nodeOf(event);
    if (!node.empty()) incident.tags["node"] = node;
    incident.tags["fingerprint"] = c.fingerprint;
    c.verdict = Verdict::kOpened;
    c.incident = std::move(incident);
    return c;
  }

  const Incident& current = it->second.incident;
  if (recovery) {
    Incident resolved = current;
    addEvent(resolved, event.event_id, event.timestamp, options_.max_event_ids_per_incident);
    resolved.timestamp = clock_.now();
    resolved.state = IncidentState::kResolved;
    resolved.description = "recovered: " + describeEvent(event);
    c.verdict = Verdict::kResolved;
    c.incident = std::move(resolved);
    return c;
  }
  auto severity = contracts::incidentSeverityFor(event.severity);
  if (severity > current.severity) {
    Incident raised = current;
    addEvent(raised, event.event_id, event.timestamp, options_.max_event_ids_per_incident);
    raised.timestamp = clock_.now();
    raised.severity = severity;
    raised.description = describeEvent(event);
    c.verdict = Verdict::kUpdated;
    c.incident = std::move(raised);
    return c;
  }
  c.verdict = Verdict::kAbsorbed;
  return c;
}

size_t Correlator::commit(const Correlation& c) {
  if (c.verdict == Verdict::kDuplicate) return 0;
  remember(c.event_id);
  size_t evicted = 0;
  auto it = open_.find(c.fingerprint);
  switch (c.verdict) {
    case Verdict::kOpened:
    case Verdict::kUpdated:
      if (!c.incident) break;
      if (it == open_.end()) {
        evicted = evictIfFull();
        recency_.push_back(c.fingerprint);
        open_.emplace(c.fingerprint, Open{*c.incident, std::prev(recency_.end())});
      } else {
        it->second.incident = *c.incident;
        touch(it->second);
      }
      break;
    case Verdict::kResolved:
      if (it != open_.end()) {
        recency_.erase(it->second.recency);
        open_.erase(it);
      }
      break;
    case Verdict::kAbsorbed:
      if (it != open_.end()) {
        addEvent(it->second.incident, c.event_id, c.event_time,
                 options_.max_event_ids_per_incident);
        touch(it->second);
      }
      break;
    case Verdict::kDuplicate:
    case Verdict::kIgnored:
      break;
  }
  return evicted;
}

Correlation Correlator::process(const Event& event) {
  Correlation c = correlate(event);
  commit(c);
  return c;
}

const Incident* Correlator::openIncident(std::string_view fingerprint) const {
  auto it = open_.find(std::string(fingerprint));
  return it == open_.end() ? nullptr : &it->second.incident;
}

void Correlator::remember(const std::string& event_id) {
  if (!seen_.insert(event_id).second) return;
  seen_order_.push_back(event_id);
  while (seen_order_.size() > std::max<size_t>(options_.max_remembered_events, 1)) {
    seen_.erase(seen_order_.front());
    seen_order_.pop_front();
  }
}

void Correlator::touch(Open& open) { recency_.splice(recency_.end(), recency_, open.recency); }

size_t Correlator::evictIfFull() {
  size_t evicted = 0;
  while (!recency_.empty() && open_.size() >= std::max<size_t>(options_.max_open_incidents, 1)) {
    open_.erase(recency_.front());
    recency_.pop_front();
    ++evicted;
  }
  return evicted;
}

}  // namespace orion::guardian
