#include "guardian/tag_list.h"

#include <algorithm>

namespace orion::guardian {

TagList::TagList(const contracts::Tags& tags) {
  slots_.reserve(tags.size());
  for (const auto& [key, value] : tags) append(key, value);
}

size_t TagList::lowerBound(std::string_view key, size_t from) const {
  size_t low = from;
  size_t high = slots_.size();
  while (low < high) {
    size_t middle = low + (high - low) / 2;
    if (keyAt(middle) < key) {
      low = middle + 1;
    } else {
      high = middle;
    }
  }
  return low;
}

bool TagList::contains(std::string_view key) const {
  size_t i = lowerBound(key);
  return i < slots_.size() && keyAt(i) == key;
}

std::string_view TagList::valueOf(std::string_view key) const {
  size_t i = lowerBound(key);
  return i < slots_.size() && keyAt(i) == key ? at(i).second : std::string_view();
}

void TagList::set(std::string_view key, std::string_view value) {
  size_t i = lowerBound(key);
  if (i < slots_.size() && keyAt(i) == key) {
    replaceValue(i, value);
  } else {
    insertAt(i, key, value);
  }
}

void TagList::assign(std::span<const TagView> sorted) {
  clear();
  for (const auto& [key, value] : sorted) append(key, value);
}

void TagList::merge(std::span<const TagView> sorted) {
  // Both are in key order and mostly share their keys: a walk does fewer comparisons than a
  // search per tag.
  size_t i = 0;
  for (const auto& [key, value] : sorted) {
    int order = 1;  // of the key at i against `key`; past the end counts as greater
    while (i < slots_.size() && (order = keyAt(i).compare(key)) < 0) ++i;
    if (i < slots_.size() && order == 0) {
      replaceValue(i, value);
    } else {
      insertAt(i, key, value);
    }
    ++i;
  }
}

void TagList::clear() {
  text_.clear();
  slots_.clear();
}

void TagList::replaceValue(size_t i, std::string_view value) {
  Slot& slot = slots_[i];
  size_t at = slot.offset + slot.key_size;
  if (value.size() == slot.value_size) {
    text_.replace(at, value.size(), value);
    return;
  }
  auto delta = static_cast<int64_t>(value.size()) - static_cast<int64_t>(slot.value_size);
  text_.replace(at, slot.value_size, value);
  slot.value_size = static_cast<uint32_t>(value.size());
  for (size_t j = i + 1; j < slots_.size(); ++j) {
    slots_[j].offset = static_cast<uint32_t>(slots_[j].offset + delta);
  }
}

void TagList::insertAt(size_t i, std::string_view key, std::string_view value) {
  if (i == slots_.size()) {
    append(key, value);
    return;
  }
  std::string entry;
  entry.reserve(key.size() + value.size());
  entry.append(key).append(value);
  uint32_t offset = slots_[i].offset;
  text_.insert(offset, entry);
  for (size_t j = i; j < slots_.size(); ++j) {
    slots_[j].offset = static_cast<uint32_t>(slots_[j].offset + entry.size());
  }
  slots_.insert(
      slots_.begin() + static_cast<std::ptrdiff_t>(i),
      Slot{offset, static_cast<uint32_t>(key.size()), static_cast<uint32_t>(value.size())});
}

void TagList::append(std::string_view key, std::string_view value) {
  slots_.push_back(Slot{static_cast<uint32_t>(text_.size()), static_cast<uint32_t>(key.size()),
                        static_cast<uint32_t>(value.size())});
  text_.append(key).append(value);
}

void TagList::copyTo(contracts::Tags& tags) const {
  tags.reserve(tags.size() + slots_.size());
  for (size_t i = 0; i < slots_.size(); ++i) {
    auto [key, value] = at(i);
    tags.emplace(key, value);
  }
}

contracts::Tags TagList::toTags() const {
  contracts::Tags tags;
  copyTo(tags);
  return tags;
}

Json TagList::toJson() const {
  Json object = Json::object();
  auto& members = object.get_ref<Json::object_t&>();
  for (size_t i = 0; i < slots_.size(); ++i) {
    auto [key, value] = at(i);
    members.emplace_hint(members.end(), std::piecewise_construct, std::forward_as_tuple(key),
                         std::forward_as_tuple(std::string(value)));
  }
  return object;
}

bool operator==(const TagList& a, const TagList& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a.at(i) != b.at(i)) return false;
  }
  return true;
}

}  // namespace orion::guardian
