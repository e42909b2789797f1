// A first-in-first-out queue in one vector: push at the back, pop at the front, index from the
// front. Unlike std::deque, an empty one allocates nothing, which matters for the many small
// queues the correlator creates and drops (a node's recent opens, a condition's opens). Popping
// only advances an offset; the vector is compacted once more than half of it is popped, so each
// element moves at most about once. Not thread-safe.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace orion::guardian {

template <typename T>
class Fifo {
 public:
  bool empty() const { return head_ == items_.size(); }
  size_t size() const { return items_.size() - head_; }
  T& front() { return items_[head_]; }
  const T& front() const { return items_[head_]; }
  T& back() { return items_.back(); }
  const T& back() const { return items_.back(); }
  const T& operator[](size_t i) const { return items_[head_ + i]; }

  void push_back(T item) { items_.push_back(std::move(item)); }
  void pop_front() {
    ++head_;
    if (head_ == items_.size()) {
      items_.clear();
      head_ = 0;
    } else if (head_ >= 32 && head_ * 2 >= items_.size()) {
      items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
    }
  }
  void clear() {
    items_.clear();
    head_ = 0;
  }

  const T* begin() const { return items_.data() + head_; }
  const T* end() const { return items_.data() + items_.size(); }

 private:
  std::vector<T> items_;
  size_t head_ = 0;
};

}  // namespace orion::guardian
