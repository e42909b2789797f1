#include "guardian/slot_index.h"

#include <utility>

namespace orion::guardian {

void SlotIndex::insert(uint64_t hash, uint32_t slot) {
  if ((size_ + 1) * 2 > entries_.size()) grow();
  place(static_cast<uint32_t>(hash), slot);
  ++size_;
}

void SlotIndex::place(uint32_t tag, uint32_t slot) {
  size_t i = tag & mask_;
  while (entries_[i].slot != kNotFound) i = (i + 1) & mask_;
  entries_[i] = Entry{tag, slot};
}

void SlotIndex::erase(uint64_t hash, uint32_t slot) {
  if (size_ == 0) return;
  auto tag = static_cast<uint32_t>(hash);
  size_t hole = tag & mask_;
  while (entries_[hole].tag != tag || entries_[hole].slot != slot) {
    if (entries_[hole].slot == kNotFound) return;
    hole = (hole + 1) & mask_;
  }
  // Close the hole: an entry further along the run moves back into it unless its own home
  // position lies (cyclically) after the hole, where a lookup starting at home would not pass it.
  for (size_t next = (hole + 1) & mask_; entries_[next].slot != kNotFound;
       next = (next + 1) & mask_) {
    size_t home = entries_[next].tag & mask_;
    bool stays = hole <= next ? (hole < home && home <= next) : (hole < home || home <= next);
    if (stays) continue;
    entries_[hole] = entries_[next];
    hole = next;
  }
  entries_[hole] = Entry{};
  --size_;
}

void SlotIndex::clear() {
  entries_.clear();
  mask_ = 0;
  size_ = 0;
}

void SlotIndex::grow() {
  std::vector<Entry> old = std::move(entries_);
  entries_.assign(old.empty() ? 16 : old.size() * 2, Entry{});
  mask_ = entries_.size() - 1;
  for (const Entry& entry : old) {
    if (entry.slot != kNotFound) place(entry.tag, entry.slot);
  }
}

}  // namespace orion::guardian
