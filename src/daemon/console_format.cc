#include "daemon/console_format.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

namespace orion::daemon {

namespace {

// Documents come from the bus already validated, but the console must not trust that: it only
// reads fields that have the expected type and skips the rest.
std::string stringField(const Json& doc, std::string_view key) {
  if (!doc.is_object()) return {};
  auto it = doc.find(key);
  if (it == doc.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

// Up to two decimals, without trailing zeros: 93.1, 90, 7.14.
std::string numberText(double value) {
  std::string text = fmt::format("{:.2f}", value);
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text == "-0" ? "0" : text;
}

std::string scalarText(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_float()) return numberText(value.get<double>());
  if (value.is_number() || value.is_boolean()) return value.dump();
  return {};
}

std::string scalarField(const Json& doc, std::string_view key) {
  if (!doc.is_object()) return {};
  auto it = doc.find(key);
  return it == doc.end() ? std::string() : scalarText(*it);
}

// "HH:MM:SS" of an RFC 3339 timestamp (its UTC time of day); blanks when it is not one.
std::string timeOfDay(const Json& doc) {
  std::string ts = stringField(doc, "timestamp");
  if (ts.size() < 19 || ts[10] != 'T') return "--:--:--";
  return ts.substr(11, 8);
}

std::string shortId(const std::string& id) { return id.substr(0, 8); }

void appendPart(std::string& line, const std::string& part) {
  if (part.empty()) return;
  if (!line.empty() && line.back() != ' ') line += ' ';
  line += part;
}

// The readable part of an event: the watcher's metric readings as "metric resource = value unit
// (≥ threshold level)", anything else as its event type and scalar data fields.
std::string describeEvent(const Json& doc) {
  const Json& data = doc.contains("data") ? doc["data"] : Json::object();
  std::string metric = scalarField(data, "metric");
  std::string out;
  if (!metric.empty()) {
    out = metric;
    for (const char* key : {"resource", "mount", "device", "service"}) {
      std::string resource = scalarField(data, key);
      if (!resource.empty()) {
        appendPart(out, resource);
        break;
      }
    }
    std::string value = scalarField(data, "value");
    if (!value.empty()) {
      std::string unit = scalarField(data, "unit");
      if (unit == "percent" || unit == "%") {
        value += "%";
      } else if (!unit.empty() && unit != "ratio") {
        value += " " + unit;
      }
      appendPart(out, "= " + value);
    }
    std::string threshold = scalarField(data, "threshold");
    if (!threshold.empty()) {
      std::string level = scalarField(data, "level");
      appendPart(out, "(≥ " + threshold + (level.empty() ? "" : " " + level) + ")");
    }
  } else {
    out = stringField(doc, "event_type");
    if (data.is_object()) {
      int shown = 0;
      for (const auto& [key, value] : data.items()) {
        std::string text = scalarText(value);
        if (text.empty()) continue;
        if (++shown > 4) break;
        appendPart(out, key + "=" + text);
      }
    }
  }
  std::string node;
  if (doc.contains("tags")) node = stringField(doc["tags"], "node");
  if (node.empty()) node = scalarField(data, "node");
  if (!node.empty()) appendPart(out, "node=" + node);
  return out;
}

std::string describeIncident(const Json& doc) {
  std::string state = stringField(doc, "state");
  std::string out = state == "open" ? "opened" : state;
  appendPart(out, stringField(doc, "incident_type"));
  appendPart(out, stringField(doc, "severity"));
  appendPart(out, shortId(stringField(doc, "incident_id")));
  if (doc.contains("event_ids") && doc["event_ids"].is_array()) {
    appendPart(out, fmt::format("events={}", doc["event_ids"].size()));
  }
  std::string description = stringField(doc, "description");
  if (!description.empty()) appendPart(out, "- " + description);
  return out;
}

std::string describeDecision(const Json& doc) {
  std::string out = stringField(doc, "decision_type") + ":";
  appendPart(out, stringField(doc, "reasoning"));
  return out;
}

std::string describeApprovalRequest(const Json& doc) {
  std::string out = "requested " + stringField(doc, "action_type");
  appendPart(out, stringField(doc, "risk_level"));
  std::string expires = stringField(doc, "expires_at");
  if (!expires.empty()) appendPart(out, "expires " + expires);
  return out;
}

std::string describeOutcome(const Json& doc) {
  std::string out = stringField(doc, "status");
  appendPart(out, "action " + shortId(stringField(doc, "action_id")));
  std::string ms = scalarField(doc, "execution_time_ms");
  if (!ms.empty()) appendPart(out, "in " + ms + " ms");
  if (doc.contains("error")) appendPart(out, "- " + stringField(doc["error"], "message"));
  return out;
}

std::string describeDeadletter(const Json& doc) {
  std::string out = stringField(doc, "stream");
  std::string group = stringField(doc, "consumer_group");
  if (!group.empty()) appendPart(out, "group=" + group);
  appendPart(out, "- " + stringField(doc, "reason"));
  return out;
}

std::string percentText(double value) {
  return value < 0 ? std::string("-") : fmt::format("{:.1f}%", value);
}

std::string countText(double value) {
  return value < 0 ? std::string("-") : fmt::format("{:.0f}", value);
}

}  // namespace

std::string formatHeader(const ConsoleHeader& header) {
  return fmt::format(
      "ORION on {}  |  autonomy {}  |  bus {}\n"
      "state {}  |  audit {}\n"
      "Times are UTC. Ctrl-C stops.\n",
      header.node, header.autonomy, header.bus_kind, header.state_dir, header.audit_file);
}

std::string formatDocumentLine(std::string_view type, const Json& document) {
  std::string label;
  std::string body;
  if (type == "event") {
    label = "EVENT";
    body = fmt::format("{:<8} {}", stringField(document, "severity"), describeEvent(document));
  } else if (type == "incident") {
    label = "INCIDENT";
    body = describeIncident(document);
  } else if (type == "decision") {
    label = "DECISION";
    body = describeDecision(document);
  } else if (type == "approval_request") {
    label = "APPROVAL";
    body = describeApprovalRequest(document);
  } else if (type == "outcome") {
    label = "OUTCOME";
    body = describeOutcome(document);
  } else if (type == "deadletter") {
    label = "DEADLTR";
    body = describeDeadletter(document);
  } else {
    label = std::string(type);
    body = dumpJson(document);
  }
  return fmt::format("{} {:<8} {}", timeOfDay(document), label, body);
}

double maxOfFamily(std::string_view exposition, std::string_view name) {
  double best = -1;
  bool found = false;
  size_t pos = 0;
  while (pos < exposition.size()) {
    size_t end = exposition.find('\n', pos);
    if (end == std::string_view::npos) end = exposition.size();
    std::string_view line = exposition.substr(pos, end - pos);
    pos = end + 1;
    if (!line.starts_with(name) || line.size() <= name.size()) continue;
    char next = line[name.size()];
    if (next != '{' && next != ' ') continue;
    size_t space = line.rfind(' ');
    std::string number(line.substr(space + 1));
    char* parsed_end = nullptr;
    double value = std::strtod(number.c_str(), &parsed_end);
    if (parsed_end == number.c_str()) continue;
    best = found ? std::max(best, value) : value;
    found = true;
  }
  return found ? best : -1;
}

std::string formatStatusLine(const MetricsRegistry& metrics, std::string_view time) {
  // Per-mount disk gauges carry a label per mount; the worst one is what matters at a glance.
  double worst_disk =
      maxOfFamily(metrics.renderPrometheus(), "orion_watcher_host_disk_used_percent");
  double load = metrics.read("orion_watcher_host_load_per_cpu");
  // The Redis bus exports orion_bus_redis_up (the embedded bus does not): say so while it is down.
  std::string bus;
  if (metrics.read("orion_bus_redis_up") == 0) {
    bus = fmt::format("  |  BUS DEGRADED: Redis unreachable, {} publishes queued",
                      countText(metrics.read("orion_bus_local_queue_length")));
  }
  return fmt::format(
      "{} STATUS   cpu {}  mem {}  load/cpu {}  worst disk {}  |  events {}  incidents {}  "
      "decisions {}  "
      "open incidents {}{}",
      time, percentText(metrics.read("orion_watcher_host_cpu_percent")),
      percentText(metrics.read("orion_watcher_host_memory_percent")),
      load < 0 ? std::string("-") : fmt::format("{:.2f}", load), percentText(worst_disk),
      countText(metrics.read("orion_bus_published_total", {{"type", "event"}})),
      countText(metrics.read("orion_bus_published_total", {{"type", "incident"}})),
      countText(metrics.read("orion_bus_published_total", {{"type", "decision"}})),
      countText(metrics.read("orion_guardian_open_incidents")), bus);
}

}  // namespace orion::daemon
