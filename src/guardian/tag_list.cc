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

namespace {

// Writes the i-th tag of a document being rewritten in key order: over its present i-th entry
// (the keys are in order again once every entry has been written), or appended after the last.
void writeTagAt(contracts::Tags& tags, size_t i, TagView tag) {
  if (i < tags.size()) {
    auto& entry = *(tags.begin() + static_cast<std::ptrdiff_t>(i));
    entry.first.assign(tag.first);
    entry.second.assign(tag.second);
  } else {
    tags.emplace(tag.first, tag.second);
  }
}

}  // namespace

void assignTags(contracts::Tags& tags, const TagList& list, std::span<const TagView> extra) {
  tags.reserve(list.size() + extra.size());  // a new document: one allocation, not one per doubling
  size_t written = 0;
  size_t from_list = 0;
  auto from_extra = extra.begin();
  while (from_list < list.size() || from_extra != extra.end()) {
    if (from_extra == extra.end() ||
        (from_list < list.size() && list.at(from_list).first < from_extra->first)) {
      writeTagAt(tags, written++, list.at(from_list++));
      continue;
    }
    if (from_list < list.size() && list.at(from_list).first == from_extra->first) ++from_list;
    writeTagAt(tags, written++, *from_extra++);
  }
  while (tags.size() > written) tags.erase(tags.end() - 1);
}

void mergeTags(contracts::Tags& tags, std::span<const TagView> sorted) {
  // Both are in key order and an update usually brings the keys the document has: a walk finds
  // each with a comparison or two, where a search per key takes several.
  auto at = tags.begin();
  for (const auto& [key, value] : sorted) {
    while (at != tags.end() && at->first < key) ++at;
    if (at != tags.end() && at->first == key) {
      at->second = value;
    } else {
      at = tags.emplace(key, value).first;  // a new key, inserted in its place
    }
    ++at;
  }
}

bool operator==(const TagList& a, const TagList& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a.at(i) != b.at(i)) return false;
  }
  return true;
}

}  // namespace orion::guardian
