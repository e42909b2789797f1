// A growable FIFO ring buffer: the storage behind the embedded bus's streams and per-group
// windows. Unlike std::deque it allocates only when it grows past its capacity (doubling), so a
// stream that stays within its bound appends and trims without touching the allocator.
// Not thread-safe: the embedded bus guards each ring with its stream's mutex.
#pragma once

#include <cassert>
#include <cstddef>
#include <utility>
#include <vector>

namespace orion::bus {

template <typename T>
class Ring {
 public:
  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }

  // The element `index` places after the front (0 is the front).
  T& operator[](size_t index) {
    assert(index < size_);
    return slots_[(head_ + index) & (slots_.size() - 1)];
  }
  const T& operator[](size_t index) const {
    assert(index < size_);
    return slots_[(head_ + index) & (slots_.size() - 1)];
  }
  T& front() { return (*this)[0]; }

  void pushBack(T value) {
    if (size_ == slots_.size()) grow();
    slots_[(head_ + size_) & (slots_.size() - 1)] = std::move(value);
    ++size_;
  }

  // Removes the front element, resetting its slot so it releases what it holds.
  void popFront() {
    assert(size_ > 0);
    slots_[head_] = T();
    head_ = (head_ + 1) & (slots_.size() - 1);
    --size_;
  }

 private:
  void grow() {
    std::vector<T> bigger(slots_.empty() ? 16 : slots_.size() * 2);
    for (size_t i = 0; i < size_; ++i) bigger[i] = std::move((*this)[i]);
    slots_ = std::move(bigger);
    head_ = 0;
  }

  std::vector<T> slots_;  // capacity is always zero or a power of two
  size_t head_ = 0;
  size_t size_ = 0;
};

}  // namespace orion::bus
