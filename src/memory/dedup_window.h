// The keys (recordKey) of the most recent records and their seqs, so a redelivered or republished
// document is recognised and not recorded twice. Bounded: the oldest key leaves when a new one
// comes in beyond `capacity` (0 disables the window). Not thread-safe; the writer guards it.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace orion::memory {

class DedupWindow {
 public:
  explicit DedupWindow(size_t capacity) : capacity_(capacity) {}

  // The seq recorded under `key`, if it is still in the window.
  std::optional<uint64_t> find(std::string_view key) const {
    auto it = seqs_.find(key);
    if (it == seqs_.end()) return std::nullopt;
    return it->second;
  }

  // Remembers `key` for `seq` (a key already present keeps its first seq).
  void add(std::string key, uint64_t seq) {
    if (capacity_ == 0 || seqs_.count(key) != 0) return;
    if (order_.size() >= capacity_) {
      seqs_.erase(order_.front());
      order_.pop_front();
    }
    order_.push_back(std::move(key));
    seqs_.emplace(order_.back(), seq);
  }

  size_t size() const { return order_.size(); }

 private:
  size_t capacity_;
  // Keys in arrival order, and a map of views into them. A deque never moves its elements on
  // push_back/pop_front, so the views stay valid until their key is dropped.
  std::deque<std::string> order_;
  std::unordered_map<std::string_view, uint64_t> seqs_;
};

}  // namespace orion::memory
