// A table of the SafetyState: entries by string key (the order the state is persisted, compared
// and walked in), kept in a second order too, by the time each entry carries, so that the oldest
// entry is found without a scan. The bounded tables evict their oldest entry whenever an insert
// takes them past their limit; found by a scan, that was a walk over up to 100 000 entries for
// every action, outcome or decision once a table was full.
//
// Every write goes through the table (set, edit, take, erase), which keeps both orders in step;
// reads get const access only. `TimeOf` is a function object giving an entry's time. The oldest
// entry is the one with the earliest time and, among equal times, the smallest key: the one a scan
// in key order for the first minimum finds.
//
// Not thread-safe: the SafetyState's owner serialises access.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "common/clock.h"

namespace orion::brain {

template <typename Value, typename TimeOf>
class TimedTable {
 public:
  using Map = std::map<std::string, Value, std::less<>>;
  using const_iterator = typename Map::const_iterator;

  const_iterator begin() const { return entries_.begin(); }
  const_iterator end() const { return entries_.end(); }
  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  const_iterator find(std::string_view key) const { return entries_.find(key); }
  bool contains(std::string_view key) const { return entries_.find(key) != entries_.end(); }

  // The entry with the earliest time (the smallest key among equal times); end() when empty.
  const_iterator oldest() const {
    return by_time_.empty() ? entries_.end() : entries_.find(by_time_.begin()->second);
  }

  // The entry with the earliest time other than the one for `key`; end() when there is none.
  const_iterator oldestExcept(std::string_view key) const {
    for (const Position& position : by_time_) {
      if (position.second != key) return entries_.find(position.second);
    }
    return entries_.end();
  }

  // Write access to an entry's value for changes that leave its time as it is (a change of time
  // goes through edit(), or the table would evict in the wrong order); nullptr when there is none.
  Value* mutableValue(std::string_view key) {
    auto it = entries_.find(key);
    return it == entries_.end() ? nullptr : &it->second;
  }

  // Inserts the entry for `key`, or replaces its value.
  void set(std::string_view key, Value value) {
    auto it = entries_.find(key);
    if (it == entries_.end()) {
      it = entries_.emplace(std::string(key), std::move(value)).first;
      by_time_.emplace(TimeOf{}(it->second), it->first);
      return;
    }
    WallTime before = TimeOf{}(it->second);
    it->second = std::move(value);
    refile(it, before);
  }

  // Calls `edit` with the entry for `key` (a default value when there was none), then files the
  // entry by its time again.
  template <typename Edit>
  void edit(std::string_view key, Edit&& edit) {
    auto it = entries_.find(key);
    if (it == entries_.end()) {
      it = entries_.emplace(std::string(key), Value{}).first;
      edit(it->second);
      by_time_.emplace(TimeOf{}(it->second), it->first);
      return;
    }
    WallTime before = TimeOf{}(it->second);
    edit(it->second);
    refile(it, before);
  }

  // Removes the entry for `key` and hands its value over; nullopt when there is none.
  std::optional<Value> take(std::string_view key) {
    auto it = entries_.find(key);
    if (it == entries_.end()) return std::nullopt;
    by_time_.erase(Position(TimeOf{}(it->second), it->first));
    std::optional<Value> value(std::move(it->second));
    entries_.erase(it);
    return value;
  }

  bool erase(std::string_view key) {
    auto it = entries_.find(key);
    if (it == entries_.end()) return false;
    erase(it);
    return true;
  }

  // Erases one entry; returns the next in key order.
  const_iterator erase(const_iterator it) {
    by_time_.erase(Position(TimeOf{}(it->second), it->first));
    return entries_.erase(it);
  }

  // Erases every entry for which `remove(key, value)` is true.
  template <typename Remove>
  void eraseIf(Remove remove) {
    for (const_iterator it = entries_.cbegin(); it != entries_.cend();) {
      it = remove(it->first, it->second) ? erase(it) : std::next(it);
    }
  }

 private:
  // The view is of the map's own key, which stays put while the entry exists.
  using Position = std::pair<WallTime, std::string_view>;

  // Moves an entry whose time may have changed from `before` to where its time is now.
  void refile(typename Map::iterator it, WallTime before) {
    WallTime after = TimeOf{}(it->second);
    if (after == before) return;
    auto node = by_time_.extract(Position(before, it->first));
    if (node.empty()) {
      by_time_.emplace(after, it->first);
      return;
    }
    node.value() = Position(after, it->first);
    by_time_.insert(std::move(node));
  }

  Map entries_;
  std::set<Position> by_time_;
};

}  // namespace orion::brain
