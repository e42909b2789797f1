// What an incident says about its events, read from an event's fields (event_fields.h): the
// forms of describeEvent() and eventTags() (correlator.h) that the correlator uses per event,
// which write into storage it reuses instead of building new strings and maps. Same results.
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <string>

#include "guardian/event_fields.h"
#include "guardian/tag_list.h"

namespace orion::guardian {

// Appends describeEvent(fields.event()) to `out`.
void describeEventInto(const EventFields& fields, std::string& out);

// The tags eventTags(fields.event()) gives, in key order, as views into `fields` (which must
// outlive their use).
class EventTagValues {
 public:
  explicit EventTagValues(const EventFields& fields);
  std::span<const TagView> sorted() const { return {tags_.data(), count_}; }

 private:
  static constexpr size_t kMaxTags = 18;
  std::array<TagView, kMaxTags> tags_;
  size_t count_ = 0;
};

}  // namespace orion::guardian
