// The keys (recordKey) of the most recent records and their seqs, so a redelivered or republished
// document is recognised and not recorded twice. Bounded: the oldest key leaves when a new one
// comes in beyond `capacity` (0 disables the window). Not thread-safe; the writer guards it.
//
// Every submitted record is looked up and added under the writer's lock, so the window allocates
// nothing per record and touches little memory: keys are 16 bytes (the first half of a SHA-256,
// uniformly spread, so they are their own hash) kept in a ring in arrival order, with their seqs;
// an open-addressing table of 8-byte slots (a fingerprint of the key and its place in the ring),
// sized once, finds them. 65,536 keys take 2.5 MiB, the table 1 MiB of it. That memory becomes
// resident only as records arrive: the table is zeroed pages from calloc, the ring is never
// initialised (an idle daemon does not pay for a window it has not filled).
#pragma once

#include <array>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>

namespace orion::memory {

using RecordKey = std::array<unsigned char, 16>;

class DedupWindow {
 public:
  explicit DedupWindow(size_t capacity);

  // The seq recorded under `key`, if it is still in the window.
  std::optional<uint64_t> find(const RecordKey& key) const;

  // Asks the CPU to load the memory find(key) will read; no effect otherwise. Safe without the
  // lock that guards the window: it reads nothing, and the table never moves.
  void prefetch(const RecordKey& key) const;

  // Remembers `key` for `seq` (a key already present keeps its first seq).
  void add(const RecordKey& key, uint64_t seq);

  size_t size() const { return count_; }

 private:
  // A table slot: the key's place in the ring plus one (0: empty), and 32 bits of the key.
  struct Slot {
    uint32_t entry;  // all bits zero is the empty slot, what calloc gives
    uint32_t fingerprint;
  };
  struct FreeDeleter {
    void operator()(void* memory) const { std::free(memory); }
  };
  size_t home(const RecordKey& key) const;
  // The slot holding `key`, or the empty slot where it would go.
  size_t probe(const RecordKey& key) const;
  void erase(size_t entry);

  size_t capacity_;
  size_t mask_ = 0;  // the number of slots - 1 (a power of two, at least twice the capacity)
  // Linear probing; deletion shifts the run back (no tombstones). mask_ + 1 slots.
  std::unique_ptr<Slot[], FreeDeleter> slots_;
  // The ring: keys in arrival order, the oldest at oldest_, and their seqs; capacity_ entries,
  // of which only the count_ from oldest_ on are ever read.
  std::unique_ptr<RecordKey[]> keys_;
  std::unique_ptr<uint64_t[]> seqs_;
  size_t oldest_ = 0;
  size_t count_ = 0;
};

}  // namespace orion::memory
