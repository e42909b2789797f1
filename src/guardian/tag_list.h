// An incident's tags as one buffer of text in key order, with the offsets of each key and value,
// instead of a std::map: how the correlator keeps the tags of each condition and open incident.
// A list is two allocations however many tags it has (usually a few hundred bytes), reading or
// copying one walks contiguous memory instead of a tree's nodes, and rewriting one reuses its
// storage. It holds exactly what the contracts::Tags it converts to and from holds: the same keys
// and values, in the same order. Not thread-safe (the correlator's thread only).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/json.h"
#include "contracts/documents.h"

namespace orion::guardian {

// A tag given to or read from a list: views valid while the list (or the caller's data) is.
using TagView = std::pair<std::string_view, std::string_view>;

class TagList {
 public:
  TagList() = default;
  explicit TagList(const contracts::Tags& tags);

  // Sets `key` to `value`, adding it in its place when absent: what `tags[key] = value` does.
  void set(std::string_view key, std::string_view value);
  bool contains(std::string_view key) const;
  // The value of `key`, or "" when absent.
  std::string_view valueOf(std::string_view key) const;

  // Replaces every tag by `sorted`, whose keys must be strictly increasing.
  void assign(std::span<const TagView> sorted);
  // Sets every tag of `sorted` (strictly increasing keys): what set() of each, in turn, does.
  void merge(std::span<const TagView> sorted);
  // Removes every tag, keeping the storage for what comes next.
  void clear();

  // Adds every tag to `tags` (meant to be empty, so that each insertion is at the end).
  void copyTo(contracts::Tags& tags) const;
  contracts::Tags toTags() const;
  // A JSON object of the tags, as Json(toTags()) would make it.
  Json toJson() const;

  size_t size() const { return slots_.size(); }
  bool empty() const { return slots_.empty(); }
  // The i-th tag in key order (i < size()).
  TagView at(size_t i) const {
    const Slot& slot = slots_[i];
    return {std::string_view(text_).substr(slot.offset, slot.key_size),
            std::string_view(text_).substr(slot.offset + slot.key_size, slot.value_size)};
  }
  friend bool operator==(const TagList& a, const TagList& b);

 private:
  struct Slot {
    uint32_t offset = 0;  // of the key in text_; the value follows it
    uint32_t key_size = 0;
    uint32_t value_size = 0;
  };
  std::string_view keyAt(size_t i) const {
    return std::string_view(text_).substr(slots_[i].offset, slots_[i].key_size);
  }
  // The first position whose key is not less than `key`, searching from `from`.
  size_t lowerBound(std::string_view key, size_t from = 0) const;
  // Puts `value` as the value of tag `i` (which exists), moving the text after it as needed.
  void replaceValue(size_t i, std::string_view value);
  // Inserts the tag (key, value) as tag `i`.
  void insertAt(size_t i, std::string_view key, std::string_view value);
  void append(std::string_view key, std::string_view value);

  std::string text_;         // key, value, key, value, ... in key order
  std::vector<Slot> slots_;  // one per tag, in key order
};

// The tags of an incident document (contracts::Tags) are written in place: a document is reused
// for incident after incident (correlator.h), and incidents of one kind have the same keys, so
// assigning into the strings an entry has already costs no allocation where building new ones
// would cost one for each key or value longer than a string keeps inline.

// Makes `tags` hold exactly the tags of `list` and of `extra` (strictly increasing keys; where a
// key is in both, extra's value), written over the entries it has.
void assignTags(contracts::Tags& tags, const TagList& list, std::span<const TagView> extra);

// Sets every tag of `sorted` (strictly increasing keys) in `tags`, as tags[key] = value would.
void mergeTags(contracts::Tags& tags, std::span<const TagView> sorted);

}  // namespace orion::guardian
