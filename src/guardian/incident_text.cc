// What an incident says about its events: its type, its description and its tags.
#include "guardian/incident_text.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "guardian/correlator.h"
#include "guardian/fingerprint.h"

namespace orion::guardian {
namespace {

using Field = EventFields::Field;

constexpr size_t kMaxTagLength = 256;

// Every tag an event can contribute, in the order of their names.
enum Tag : size_t {
  kContainerId,
  kContainerName,
  kDeviceId,
  kEventType,
  kExitCode,
  kHealth,
  kImage,
  kLevel,
  kMetric,
  kNode,
  kResource,
  kResourceType,
  kServiceName,
  kSource,
  kTarget,
  kThreshold,
  kUnit,
  kValue,
  kTagCount,
};
constexpr std::array<std::string_view, kTagCount> kTagNames = {
    "container_id", "container_name", "device_id", "event_type", "exit_code", "health",
    "image",        "level",          "metric",    "node",       "resource",  "resource_type",
    "service_name", "source",         "target",    "threshold",  "unit",      "value"};
static_assert(std::is_sorted(kTagNames.begin(), kTagNames.end()), "tags are emitted in key order");

// The event's data fields that become tags of the same name.
constexpr std::array<std::pair<Tag, Field>, 14> kDataTags = {{
    {kServiceName, Field::kServiceName},
    {kContainerId, Field::kContainerId},
    {kContainerName, Field::kContainerName},
    {kImage, Field::kImage},
    {kExitCode, Field::kExitCode},
    {kHealth, Field::kHealth},
    {kResourceType, Field::kResourceType},
    {kResource, Field::kResource},
    {kMetric, Field::kMetric},
    {kValue, Field::kValue},
    {kUnit, Field::kUnit},
    {kThreshold, Field::kThreshold},
    {kLevel, Field::kLevel},
    {kDeviceId, Field::kDeviceId},
}};

// The tag "target" names what failed: the first of these the event has.
constexpr std::array<Tag, 5> kTargetFrom = {kServiceName, kContainerName, kResource, kDeviceId,
                                            kNode};

// The watcher's units are words ("percent", "ratio"); a person reads "93.1%" and "4.5".
void appendWithUnit(std::string& out, std::string_view value, std::string_view unit) {
  out += value;
  if (unit.empty() || unit == "ratio") return;
  if (unit == "percent" || unit == "%") {
    out += '%';
    return;
  }
  out += ' ';
  out += unit;
}

}  // namespace

std::string_view incidentTypeFor(std::string_view event_type) {
  std::string_view condition = conditionTypeOf(event_type);
  if (condition == "service_down") return "service_outage";
  if (condition == "metric_threshold_exceeded") return "metric_anomaly";
  if (condition == "edge_device_offline") return "edge_device_failure";
  return "correlation_detected";
}

std::string describeEvent(const contracts::Event& event) {
  std::string out;
  describeEventInto(EventFields(event), out);
  return out;
}

void describeEventInto(const EventFields& fields, std::string& out) {
  const contracts::Event& event = fields.event();
  std::string_view metric = fields.display(Field::kMetric);
  std::string_view value = fields.display(Field::kValue);
  if (!metric.empty() && !value.empty()) {
    std::string_view unit = fields.display(Field::kUnit);
    std::string_view resource = fields.display(Field::kResource);
    out += metric;
    if (!resource.empty()) {
      out += " of ";
      out += resource;
    }
    out += " is ";
    appendWithUnit(out, value, unit);
    std::string_view threshold = fields.display(Field::kThreshold);
    if (threshold.empty()) return;
    if (fields.display(Field::kState) == "recovered") {
      out += " (back below ";
      appendWithUnit(out, threshold, unit);
      out += ')';
      return;
    }
    std::string_view level = fields.display(Field::kLevel);
    if (level.empty()) level = contracts::toString(event.severity);
    out += " (";
    out += level;
    out += " threshold ";
    appendWithUnit(out, threshold, unit);
    out += ')';
    return;
  }
  std::string_view service = fields.display(Field::kServiceName);
  if (!service.empty()) {
    if (event.event_type == "service_down") {
      fmt::format_to(std::back_inserter(out), "service {} is down", service);
    } else if (event.event_type == "service_up") {
      fmt::format_to(std::back_inserter(out), "service {} is up", service);
    } else {
      fmt::format_to(std::back_inserter(out), "{} for service {}",
                     conditionTypeOf(event.event_type), service);
    }
    return;
  }
  std::string_view resource = fields.display(Field::kResource);
  if (!resource.empty()) {
    fmt::format_to(std::back_inserter(out), "{} on {}", event.event_type, resource);
    return;
  }
  std::string_view device = fields.display(Field::kDeviceId);
  if (!device.empty()) {
    fmt::format_to(std::back_inserter(out), "{} for device {}", event.event_type, device);
    return;
  }
  fmt::format_to(std::back_inserter(out), "{} reported by {}", event.event_type, event.source);
}

EventTagValues::EventTagValues(const EventFields& fields) {
  std::array<std::string_view, kTagCount> values{};
  for (const auto& [tag, field] : kDataTags) {
    values[tag] = fields.display(field);
  }
  values[kNode] = fields.node();
  values[kSource] = fields.event().source;
  values[kEventType] = conditionTypeOf(fields.event().event_type);
  for (std::string_view& value : values) value = value.substr(0, kMaxTagLength);
  for (Tag from : kTargetFrom) {
    if (!values[from].empty()) {
      values[kTarget] = values[from];
      break;
    }
  }
  for (size_t tag = 0; tag < kTagCount; ++tag) {
    if (!values[tag].empty()) tags_[count_++] = TagView(kTagNames[tag], values[tag]);
  }
}

contracts::Tags eventTags(const contracts::Event& event) {
  EventFields fields(event);
  EventTagValues values(fields);
  contracts::Tags tags;
  for (const auto& [key, value] : values.sorted()) {
    tags.emplace_hint(tags.end(), std::string(key), std::string(value));
  }
  return tags;
}

}  // namespace orion::guardian
