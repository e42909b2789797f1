// A bounded set of recently seen keys with first-in-first-out eviction: how a module recognises a
// redelivered message (by document id) without remembering every id forever. Not thread-safe;
// callers guard it with their own mutex.
#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <unordered_set>

namespace orion {

class RecentKeys {
 public:
  explicit RecentKeys(size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  bool contains(const std::string& key) const { return keys_.contains(key); }

  // Adds `key`, forgetting the oldest key when over capacity. Adding a present key does nothing.
  // Returns true when the key was new.
  bool insert(const std::string& key) {
    if (!keys_.insert(key).second) return false;
    order_.push_back(key);
    if (order_.size() > capacity_) {
      keys_.erase(order_.front());
      order_.pop_front();
    }
    return true;
  }

  size_t size() const { return keys_.size(); }
  size_t capacity() const { return capacity_; }

 private:
  size_t capacity_;
  std::unordered_set<std::string> keys_;
  std::deque<std::string> order_;
};

}  // namespace orion
