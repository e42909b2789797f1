#include "guardian/event_fields.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <iterator>

namespace orion::guardian {
namespace {

using Field = EventFields::Field;

constexpr std::array<std::string_view, EventFields::kFieldCount> kNames = {
    "container_id", "container_name", "device_id", "exit_code", "health",        "image",
    "level",        "metric",         "node",      "resource",  "resource_type", "service_name",
    "state",        "threshold",      "unit",      "value"};
static_assert(std::is_sorted(kNames.begin(), kNames.end()), "binary search needs them sorted");

// The index of `key` among kNames, or kFieldCount. Every event has a few of these keys and
// this runs for each, so it looks at the length first and compares at most two names.
size_t indexOf(std::string_view key) {
  auto is = [&key](Field field) {
    return key == kNames[static_cast<size_t>(field)] ? static_cast<size_t>(field)
                                                     : EventFields::kFieldCount;
  };
  auto either = [&is](Field a, Field b) {
    size_t first = is(a);
    return first != EventFields::kFieldCount ? first : is(b);
  };
  switch (key.size()) {
    case 4:
      return either(Field::kNode, Field::kUnit);
    case 5:
      switch (key[0]) {
        case 'i':
          return is(Field::kImage);
        case 'l':
          return is(Field::kLevel);
        case 's':
          return is(Field::kState);
        case 'v':
          return is(Field::kValue);
      }
      return EventFields::kFieldCount;
    case 6:
      return either(Field::kHealth, Field::kMetric);
    case 8:
      return is(Field::kResource);
    case 9:
      return key[0] == 'd' ? is(Field::kDeviceId) : either(Field::kExitCode, Field::kThreshold);
    case 12:
      return either(Field::kContainerId, Field::kServiceName);
    case 13:
      return is(Field::kResourceType);
    case 14:
      return is(Field::kContainerName);
  }
  return EventFields::kFieldCount;
}

// Integers and booleans are most of the non-string values producers send (exit codes,
// thresholds); writing them directly gives what dumpJson() would without its serializer.
void writeJsonText(const Json& value, std::string& out) {
  char buffer[24];
  std::to_chars_result written{};
  if (value.is_number_unsigned()) {  // before is_number_integer(), which is true for both
    written = std::to_chars(buffer, buffer + sizeof(buffer), value.get<uint64_t>());
  } else if (value.is_number_integer()) {
    written = std::to_chars(buffer, buffer + sizeof(buffer), value.get<int64_t>());
  } else if (value.is_boolean()) {
    out = value.get<bool>() ? "true" : "false";
    return;
  } else {
    out = dumpJson(value);
    return;
  }
  out.assign(buffer, written.ptr);
}

// Two decimals are plenty for a percentage or a load average, and trailing zeros only add noise.
// std::to_chars rounds exactly, as fmt's "{:.2f}" does; fmt keeps what to_chars spells differently
// (infinities and NaN).
void writeTwoDecimals(double value, std::string& out) {
  char buffer[400];  // DBL_MAX has 309 digits before the point
  auto written = std::isfinite(value) ? std::to_chars(buffer, buffer + sizeof(buffer), value,
                                                      std::chars_format::fixed, 2)
                                      : std::to_chars_result{buffer, std::errc::value_too_large};
  if (written.ec == std::errc()) {
    out.assign(buffer, written.ptr);
  } else {
    out = fmt::format("{:.2f}", value);
  }
  while (!out.empty() && out.back() == '0') out.pop_back();
  if (!out.empty() && out.back() == '.') out.pop_back();
}

}  // namespace

std::string_view EventFields::nameOf(Field field) { return kNames[static_cast<size_t>(field)]; }

EventFields::EventFields(const contracts::Event& event) : event_(event) {
  if (!event.data.is_object()) return;
  for (const auto& [key, value] : event.data.get_ref<const Json::object_t&>()) {
    size_t index = indexOf(key);
    if (index < kFieldCount) values_[index] = &value;
  }
}

std::string_view EventFields::identifier(Field field) const {
  const Json* value = find(field);
  if (value == nullptr || value->is_null()) return {};
  if (value->is_string()) return value->get_ref<const std::string&>();
  Text& text = textOf(field);
  if (!text.has_identifier) {
    writeJsonText(*value, text.identifier);
    text.has_identifier = true;
  }
  return text.identifier;
}

std::string_view EventFields::display(Field field) const {
  const Json* value = find(field);
  if (value == nullptr || value->is_null() || value->is_object() || value->is_array()) return {};
  if (value->is_string()) return value->get_ref<const std::string&>();
  Text& text = textOf(field);
  if (!text.has_display) {
    if (value->is_number_float()) {
      writeTwoDecimals(value->get<double>(), text.display);
    } else {
      writeJsonText(*value, text.display);
    }
    text.has_display = true;
  }
  return text.display;
}

EventFields::Text& EventFields::textOf(Field field) const {
  std::optional<Text>& text = texts_[static_cast<size_t>(field)];
  if (!text) text.emplace();
  return *text;
}

std::string_view EventFields::node() const {
  std::string_view node = identifier(Field::kNode);
  if (!node.empty()) return node;
  auto it = event_.tags.find("node");
  return it == event_.tags.end() ? std::string_view() : std::string_view(it->second);
}

}  // namespace orion::guardian
