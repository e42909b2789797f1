// A small set of fingerprints kept sorted in one vector: the conditions an incident carries or
// lists (at most max_group_members), iterated in the order of their fingerprints' text, as a
// std::set<std::string> of them would be. Not thread-safe.
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

#include "guardian/fingerprint.h"

namespace orion::guardian {

class FingerprintSet {
 public:
  // Returns true when `fingerprint` was not in the set.
  bool insert(FingerprintValue fingerprint) {
    auto at = std::lower_bound(items_.begin(), items_.end(), fingerprint);
    if (at != items_.end() && *at == fingerprint) return false;
    items_.insert(at, fingerprint);
    return true;
  }
  void erase(FingerprintValue fingerprint) {
    auto at = std::lower_bound(items_.begin(), items_.end(), fingerprint);
    if (at != items_.end() && *at == fingerprint) items_.erase(at);
  }
  bool contains(FingerprintValue fingerprint) const {
    return std::binary_search(items_.begin(), items_.end(), fingerprint);
  }
  void clear() { items_.clear(); }

  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  // The smallest; the set must not be empty.
  FingerprintValue front() const { return items_.front(); }
  auto begin() const { return items_.begin(); }
  auto end() const { return items_.end(); }

 private:
  std::vector<FingerprintValue> items_;
};

}  // namespace orion::guardian
