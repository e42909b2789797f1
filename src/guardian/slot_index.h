// An open-addressing hash index from keys to the numbered slots of storage the caller keeps (the
// correlator's conditions, open incidents, nodes and recent event ids). Each entry is eight bytes:
// the low 32 bits of the key's hash and the slot, never the key itself; the caller is asked
// whether a slot holds the key it looks for when those bits match. A lookup reads one or two
// adjacent entries of one array instead of following a chain of separately allocated nodes, and
// adding a key allocates nothing (but for growing). Linear probing, kept at most half full;
// erasing moves later entries of the run back, so there are no tombstones. At most 2^31 entries.
// Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace orion::guardian {

class SlotIndex {
 public:
  static constexpr uint32_t kNotFound = UINT32_MAX;

  // The slot under `hash` for which `holds(slot)` is true, or kNotFound.
  template <typename Holds>
  uint32_t find(uint64_t hash, Holds&& holds) const {
    if (size_ == 0) return kNotFound;
    auto tag = static_cast<uint32_t>(hash);
    for (size_t i = tag & mask_;; i = (i + 1) & mask_) {
      const Entry& entry = entries_[i];
      if (entry.slot == kNotFound) return kNotFound;
      if (entry.tag == tag && holds(entry.slot)) return entry.slot;
    }
  }

  // Adds `slot` under `hash`. The caller makes sure the key is not indexed already.
  void insert(uint64_t hash, uint32_t slot);
  // Removes the entry of `slot` under `hash`; nothing when there is none.
  void erase(uint64_t hash, uint32_t slot);
  void clear();
  size_t size() const { return size_; }

 private:
  struct Entry {
    uint32_t tag = 0;           // the hash's low bits, which also give the entry's home
    uint32_t slot = kNotFound;  // kNotFound: empty
  };
  void place(uint32_t tag, uint32_t slot);
  void grow();

  std::vector<Entry> entries_;  // a power of two of them, or none
  size_t mask_ = 0;
  size_t size_ = 0;
};

}  // namespace orion::guardian
