// The data fields of an event that the guardian reads, found in one pass over `data`: its
// fingerprint (fingerprint.h), its description and its tags (correlator.h) read them from here
// instead of looking each field up in the JSON object again. Used on the guardian's thread; a
// view of the event, which must outlive it.
//
// Two readings of a field, because the two uses want different things from a number:
//   - identifier(): part of a fingerprint. "" when absent or null, a string as it is, any other
//     value as its JSON text (a producer may send "resource": 3, and it must still be told
//     apart from "resource": 4).
//   - display(): part of a description or a tag. "" when absent, null, an object or an array; a
//     string as it is; a float with two decimals and no trailing zeros ("93.10" → "93.1",
//     "90.00" → "90"); any other value as its JSON text.
// Both return a view of the event's own string when the field is one, otherwise of text this
// object formats once and keeps: views are valid as long as the EventFields and the event.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/json.h"
#include "contracts/documents.h"

namespace orion::guardian {

class EventFields {
 public:
  // In the order of their names.
  enum class Field : uint8_t {
    kContainerId,
    kContainerName,
    kDeviceId,
    kExitCode,
    kHealth,
    kImage,
    kLevel,
    kMetric,
    kNode,
    kResource,
    kResourceType,
    kServiceName,
    kState,
    kThreshold,
    kUnit,
    kValue,
  };
  static constexpr size_t kFieldCount = 16;
  // The field's key in `data` ("container_id", ...).
  static std::string_view nameOf(Field field);

  explicit EventFields(const contracts::Event& event);
  EventFields(const EventFields&) = delete;  // views may point into it
  EventFields& operator=(const EventFields&) = delete;

  const contracts::Event& event() const { return event_; }
  // The field's value in `data`, or nullptr when it has none (or `data` is not an object).
  const Json* find(Field field) const { return values_[static_cast<size_t>(field)]; }

  std::string_view identifier(Field field) const;
  std::string_view display(Field field) const;

  // The node the event is about: the identifier of data.node, else tags.node, else "".
  std::string_view node() const;

 private:
  // What has been worked out of a field that is not a string.
  struct Text {
    std::string identifier;
    std::string display;
    bool has_identifier = false;
    bool has_display = false;
  };

  // The Text of a field, made the first time one is asked for.
  Text& textOf(Field field) const;

  const contracts::Event& event_;
  std::array<const Json*, kFieldCount> values_{};
  // Engaged only for the few fields read that are not strings: an event is read once and most of
  // its fields are strings, so constructing and destroying 32 strings per event would be waste.
  mutable std::array<std::optional<Text>, kFieldCount> texts_;
};

}  // namespace orion::guardian
