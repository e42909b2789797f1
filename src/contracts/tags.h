// A document's tags: string keys to string values, unique keys in key order, kept in one sorted
// vector instead of a std::map's node per entry.
//
// Every contract carries tags, and the pipeline builds and frees them for every document: a
// decision has ~17, and as map nodes they were a third of its allocations. The API is the part
// of std::map's the code uses, with the same meaning (operator[] inserts, emplace does not
// overwrite, iteration is in key order), plus lookups by string_view without a temporary string.
// Appending keys in ascending order (what building a document or reading a JSON object does) is
// a push_back; an insertion elsewhere moves the entries after it. An iterator's key must not be
// changed (std::map makes it const; here it is on the caller), and any insertion or erasure
// invalidates iterators, as in a vector.
#pragma once

#include <algorithm>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "common/json.h"

namespace orion::contracts {

class Tags {
 public:
  using value_type = std::pair<std::string, std::string>;
  using iterator = std::vector<value_type>::iterator;
  using const_iterator = std::vector<value_type>::const_iterator;
  using size_type = size_t;

  Tags() = default;
  Tags(std::initializer_list<value_type> entries) : Tags(entries.begin(), entries.end()) {}
  // Later duplicates of a key are ignored, as std::map's range constructor does.
  template <class InputIt>
  Tags(InputIt first, InputIt last) {
    for (; first != last; ++first) emplace(first->first, first->second);
  }

  iterator begin() { return entries_.begin(); }
  iterator end() { return entries_.end(); }
  const_iterator begin() const { return entries_.begin(); }
  const_iterator end() const { return entries_.end(); }
  const_iterator cbegin() const { return entries_.cbegin(); }
  const_iterator cend() const { return entries_.cend(); }

  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  void clear() { entries_.clear(); }
  void reserve(size_t n) { entries_.reserve(n); }

  iterator find(std::string_view key) {
    auto it = lowerBound(key);
    return it != entries_.end() && it->first == key ? it : entries_.end();
  }
  const_iterator find(std::string_view key) const {
    return const_cast<Tags*>(this)->find(key);  // NOLINT: the same lookup, read-only result
  }
  bool contains(std::string_view key) const { return find(key) != end(); }
  size_t count(std::string_view key) const { return contains(key) ? 1 : 0; }

  // std::out_of_range when absent, as std::map::at.
  const std::string& at(std::string_view key) const {
    auto it = find(key);
    if (it == end()) throw std::out_of_range("no tag '" + std::string(key) + "'");
    return it->second;
  }
  std::string& at(std::string_view key) {
    return const_cast<std::string&>(static_cast<const Tags&>(*this).at(key));  // NOLINT
  }

  // The value of `key`, inserted empty when absent.
  std::string& operator[](std::string_view key) { return tryEmplace(key).first->second; }

  // Inserts when `key` is absent; otherwise leaves the present value alone.
  template <class K, class V>
  std::pair<iterator, bool> emplace(K&& key, V&& value) {
    if (appends(key)) return append(std::forward<K>(key), std::forward<V>(value));
    auto [it, inserted] = tryEmplace(key);
    if (inserted) it->second = std::string(std::forward<V>(value));
    return {it, inserted};
  }
  template <class K, class V>
  std::pair<iterator, bool> try_emplace(K&& key, V&& value) {
    return emplace(std::forward<K>(key), std::forward<V>(value));
  }
  // The hint is not needed to be fast: appending in key order always is.
  template <class K, class V>
  iterator emplace_hint(const_iterator /*hint*/, K&& key, V&& value) {
    return emplace(std::forward<K>(key), std::forward<V>(value)).first;
  }
  std::pair<iterator, bool> insert(value_type entry) {
    return emplace(std::move(entry.first), std::move(entry.second));
  }
  template <class K, class V>
  std::pair<iterator, bool> insert_or_assign(K&& key, V&& value) {
    if (appends(key)) return append(std::forward<K>(key), std::forward<V>(value));
    auto [it, inserted] = tryEmplace(key);
    it->second = std::string(std::forward<V>(value));
    return {it, inserted};
  }

  size_t erase(std::string_view key) {
    auto it = find(key);
    if (it == end()) return 0;
    entries_.erase(it);
    return 1;
  }
  iterator erase(const_iterator position) { return entries_.erase(position); }

  bool operator==(const Tags& other) const = default;

 private:
  // Whether `key` goes after every entry: how documents and JSON objects are built, in key order.
  bool appends(std::string_view key) const {
    return entries_.empty() || entries_.back().first < key;
  }
  // The new last entry, its key and value made in place (no empty value assigned afterwards).
  template <class K, class V>
  std::pair<iterator, bool> append(K&& key, V&& value) {
    entries_.emplace_back(std::piecewise_construct, std::forward_as_tuple(std::forward<K>(key)),
                          std::forward_as_tuple(std::forward<V>(value)));
    return {entries_.end() - 1, true};
  }
  iterator lowerBound(std::string_view key) {
    // Building in key order: the new key usually belongs at the end.
    if (appends(key)) return entries_.end();
    return std::lower_bound(
        entries_.begin(), entries_.end(), key,
        [](const value_type& entry, std::string_view k) { return entry.first < k; });
  }
  // The entry of `key`, inserted with an empty value when absent; .second says whether it was.
  std::pair<iterator, bool> tryEmplace(std::string_view key) {
    auto it = lowerBound(key);
    if (it != entries_.end() && it->first == key) return {it, false};
    return {entries_.emplace(it, std::string(key), std::string()), true};
  }

  std::vector<value_type> entries_;
};

// JSON: an object of strings (nlohmann's get<Tags>() and Json(tags)); a value that is not a
// string is a type error, as it would be for std::map<std::string, std::string>.
void to_json(Json& out, const Tags& tags);
// Appends the tags as a JSON object: exactly dumpJson(Json(tags)).
void appendTagsJson(std::string& out, const Tags& tags);
void from_json(const Json& in, Tags& tags);

}  // namespace orion::contracts
