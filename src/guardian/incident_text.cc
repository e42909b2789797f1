// What an incident says about its events: its type, its description and its tags.
#include <fmt/format.h>

#include <array>

#include "guardian/correlator.h"
#include "guardian/fingerprint.h"

namespace orion::guardian {
namespace {

constexpr size_t kMaxTagLength = 256;

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
  if (it->is_object() || it->is_array()) return "";
  return dumpJson(*it);
}

// The watcher's units are words ("percent", "ratio"); a person reads "93.1%" and "4.5".
std::string withUnit(const std::string& value, const std::string& unit) {
  if (unit.empty() || unit == "ratio") return value;
  if (unit == "percent" || unit == "%") return value + "%";
  return value + " " + unit;
}

constexpr std::array<std::string_view, 14> kDataTags = {
    "service_name", "container_id",  "container_name", "image",    "exit_code",
    "health",       "resource_type", "resource",       "metric",   "value",
    "unit",         "threshold",     "level",          "device_id"};

}  // namespace

std::string_view incidentTypeFor(std::string_view event_type) {
  std::string_view condition = conditionTypeOf(event_type);
  if (condition == "service_down") return "service_outage";
  if (condition == "metric_threshold_exceeded") return "metric_anomaly";
  if (condition == "edge_device_offline") return "edge_device_failure";
  return "correlation_detected";
}

std::string describeEvent(const contracts::Event& event) {
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
  std::string device = text(data, "device_id");
  if (!device.empty()) return fmt::format("{} for device {}", event.event_type, device);
  return fmt::format("{} reported by {}", event.event_type, event.source);
}

contracts::Tags eventTags(const contracts::Event& event) {
  contracts::Tags tags;
  auto put = [&tags](std::string_view key, std::string value) {
    if (value.empty()) return;
    if (value.size() > kMaxTagLength) value.resize(kMaxTagLength);
    tags[std::string(key)] = std::move(value);
  };
  for (std::string_view key : kDataTags) put(key, text(event.data, key));
  put("node", nodeOf(event));
  put("source", event.source);
  put("event_type", std::string(conditionTypeOf(event.event_type)));
  for (std::string_view key : {"service_name", "container_name", "resource", "device_id", "node"}) {
    if (auto it = tags.find(std::string(key)); it != tags.end()) {
      tags["target"] = it->second;
      break;
    }
  }
  return tags;
}

}  // namespace orion::guardian
