#include "memory/dedup_window.h"

#include <algorithm>
#include <cstring>
#include <new>

namespace orion::memory {
namespace {

// 32 bits of the key; its low bits are also its home slot, so moving slots never reads the ring.
uint32_t fingerprintOf(const RecordKey& key) {
  uint32_t bits = 0;
  std::memcpy(&bits, key.data(), sizeof bits);
  return bits;
}

// Far beyond any configured window (65,536 by default), and within the table's 32-bit entries.
constexpr size_t kMaxCapacity = size_t{1} << 28;

}  // namespace

DedupWindow::DedupWindow(size_t capacity) : capacity_(std::min(capacity, kMaxCapacity)) {
  if (capacity_ == 0) return;
  size_t slots = 16;
  while (slots < capacity_ * 2) slots *= 2;  // at most half full: short probe runs
  slots_.reset(static_cast<Slot*>(std::calloc(slots, sizeof(Slot))));
  if (!slots_) throw std::bad_alloc();
  mask_ = slots - 1;
  keys_ = std::make_unique_for_overwrite<RecordKey[]>(capacity_);
  seqs_ = std::make_unique_for_overwrite<uint64_t[]>(capacity_);
}

size_t DedupWindow::home(const RecordKey& key) const { return fingerprintOf(key) & mask_; }

size_t DedupWindow::probe(const RecordKey& key) const {
  uint32_t fingerprint = fingerprintOf(key);
  size_t at = home(key);
  while (slots_[at].entry != 0 &&
         (slots_[at].fingerprint != fingerprint || keys_[slots_[at].entry - 1] != key)) {
    at = (at + 1) & mask_;
  }
  return at;
}

void DedupWindow::prefetch(const RecordKey& key) const {
  if (capacity_ > 0) __builtin_prefetch(&slots_[home(key)]);
}

std::optional<uint64_t> DedupWindow::find(const RecordKey& key) const {
  if (capacity_ == 0) return std::nullopt;
  const Slot& slot = slots_[probe(key)];
  if (slot.entry == 0) return std::nullopt;
  return seqs_[slot.entry - 1];
}

void DedupWindow::add(const RecordKey& key, uint64_t seq) {
  if (capacity_ == 0 || slots_[probe(key)].entry != 0) return;
  if (count_ == capacity_) {  // the oldest key leaves
    erase(oldest_);
    oldest_ = (oldest_ + 1) % capacity_;
    --count_;
  }
  size_t entry = (oldest_ + count_) % capacity_;
  keys_[entry] = key;
  seqs_[entry] = seq;
  slots_[probe(key)] = {static_cast<uint32_t>(entry + 1), fingerprintOf(key)};
  ++count_;
}

void DedupWindow::erase(size_t entry) {
  size_t hole = probe(keys_[entry]);
  if (slots_[hole].entry == 0) return;
  slots_[hole] = Slot{};
  // Later members of the run that could have been placed at the hole move back into it, so every
  // key stays reachable from its home without tombstones.
  for (size_t at = (hole + 1) & mask_; slots_[at].entry != 0; at = (at + 1) & mask_) {
    size_t from = slots_[at].fingerprint & mask_;
    if (((hole - from) & mask_) < ((at - from) & mask_)) {
      slots_[hole] = slots_[at];
      slots_[at] = Slot{};
      hole = at;
    }
  }
}

}  // namespace orion::memory
