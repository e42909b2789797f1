// Objects in numbered slots that never move (a std::deque), with a free list: an emptied slot is
// handed out again still holding its previous object, whose strings and vectors keep their
// storage, so objects that are created and dropped all day (conditions, open incidents, nodes)
// allocate little once the arena has grown to its working size. T has the members `uint32_t
// slot` (its number), `uint32_t generation` (bumped whenever it is emptied, so that a remembered
// slot number can be checked) and `bool live`; T's other members are the caller's to reset.
// Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

namespace orion::guardian {

template <typename T>
class SlotArena {
 public:
  // A live object in a free (or new) slot, holding whatever the slot's last object left.
  T& acquire() {
    if (free_.empty()) {
      T& item = items_.emplace_back();
      item.slot = static_cast<uint32_t>(items_.size() - 1);
      item.live = true;
      ++live_;
      return item;
    }
    T& item = items_[free_.back()];
    free_.pop_back();
    item.live = true;
    ++live_;
    return item;
  }

  // Empties `item`'s slot (the object stays, for the slot's next use).
  void release(T& item) {
    item.live = false;
    ++item.generation;
    free_.push_back(item.slot);
    --live_;
  }

  T& operator[](uint32_t slot) { return items_[slot]; }
  const T& operator[](uint32_t slot) const { return items_[slot]; }
  // Whether `slot` holds the object that had `generation` (neither emptied nor reused since).
  bool holds(uint32_t slot, uint32_t generation) const {
    return slot < items_.size() && items_[slot].live && items_[slot].generation == generation;
  }
  size_t liveCount() const { return live_; }

  // Calls `visit(T&)` for every live object, in slot order. `visit` may release the object it is
  // given (not others).
  template <typename Visit>
  void forEachLive(Visit&& visit) {
    for (T& item : items_) {
      if (item.live) visit(item);
    }
  }
  template <typename Visit>
  void forEachLive(Visit&& visit) const {
    for (const T& item : items_) {
      if (item.live) visit(item);
    }
  }

 private:
  std::deque<T> items_;
  std::vector<uint32_t> free_;
  size_t live_ = 0;
};

}  // namespace orion::guardian
