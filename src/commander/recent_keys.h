// A bounded set of recently seen keys (FIFO eviction), for recognising redelivered messages.
// Not thread-safe; the commander uses it under its own mutex.
#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <unordered_set>

namespace orion::commander {

class RecentKeys {
 public:
  explicit RecentKeys(size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  bool contains(const std::string& key) const { return keys_.contains(key); }

  // Adds `key`, forgetting the oldest key when over capacity. Adding a present key does nothing.
  void insert(const std::string& key) {
    if (!keys_.insert(key).second) return;
    order_.push_back(key);
    if (order_.size() > capacity_) {
      keys_.erase(order_.front());
      order_.pop_front();
    }
  }

  size_t size() const { return keys_.size(); }

 private:
  size_t capacity_;
  std::unordered_set<std::string> keys_;
  std::deque<std::string> order_;
};

}  // namespace orion::commander
