// The ids of the events the correlator processed last, oldest first, each with the sequence
// number it was remembered under: how the correlator recognises a redelivered event. The caller
// decides when to forget (forgetOldest()), so its bound and the counter of what the bound dropped
// stay in the correlator. Not thread-safe (the correlator's thread only).
//
// The ids live in a ring whose strings are overwritten in place, indexed by their hashes
// (slot_index.h), so remembering an id allocates nothing once the ring has grown to its working
// size. A forgotten id stays readable in the ring (forgottenAt()) until releaseForgotten(): the
// correlator deletes its row from the state store at the next write, and needs no copy of it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "guardian/slot_index.h"

namespace orion::guardian {

class EventIdMemory {
 public:
  EventIdMemory() = default;
  EventIdMemory(const EventIdMemory&) = delete;
  EventIdMemory& operator=(const EventIdMemory&) = delete;

  bool contains(std::string_view id) const { return slotOf(id) != SlotIndex::kNotFound; }
  // The sequence `id` was remembered under, or nullopt.
  std::optional<uint64_t> sequenceOf(std::string_view id) const;

  // Remembers `id` as the newest. `id` must not be remembered already, and `sequence` should be
  // larger than any remembered (the order is the order of add(), whatever the numbers).
  void add(std::string_view id, uint64_t sequence);
  // Forgets the oldest id, which must exist. It stays readable as the last of forgottenAt()
  // until releaseForgotten() (or clear()); the ring grows rather than overwrite it.
  const std::string& forgetOldest();
  // The ids forgotten since the last releaseForgotten(), oldest first (i < forgottenCount()).
  size_t forgottenCount() const { return forgotten_; }
  const std::string& forgottenAt(size_t i) const {
    return ring_[(head_ + ring_.size() - forgotten_ + i) % ring_.size()].id;
  }
  // Lets add() reuse the forgotten ids' entries.
  void releaseForgotten() { forgotten_ = 0; }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // The i-th id and its sequence, oldest first (i < size()).
  const std::string& idAt(size_t i) const { return ring_[slot(i)].id; }
  uint64_t sequenceAt(size_t i) const { return ring_[slot(i)].sequence; }

  void clear();

 private:
  struct Entry {
    std::string id;
    uint64_t sequence = 0;
    uint64_t hash = 0;  // of id
  };
  size_t slot(size_t i) const { return (head_ + i) % ring_.size(); }
  uint32_t slotOf(std::string_view id) const;
  void grow();

  // Remembered ids are the entries [head_, head_ + size_), wrapping around; the forgotten but
  // not yet released ones the forgotten_ entries just before head_.
  std::vector<Entry> ring_;
  size_t head_ = 0;
  size_t size_ = 0;
  size_t forgotten_ = 0;
  SlotIndex index_;  // hash of id → its slot in ring_
};

}  // namespace orion::guardian
