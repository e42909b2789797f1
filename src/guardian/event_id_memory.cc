#include "guardian/event_id_memory.h"

#include <functional>
#include <utility>

namespace orion::guardian {
namespace {

uint64_t hashOf(std::string_view id) { return std::hash<std::string_view>{}(id); }

}  // namespace

uint32_t EventIdMemory::slotOf(std::string_view id) const {
  return index_.find(hashOf(id), [this, id](uint32_t at) { return ring_[at].id == id; });
}

std::optional<uint64_t> EventIdMemory::sequenceOf(std::string_view id) const {
  uint32_t at = slotOf(id);
  if (at == SlotIndex::kNotFound) return std::nullopt;
  return ring_[at].sequence;
}

void EventIdMemory::add(std::string_view id, uint64_t sequence) {
  if (size_ + forgotten_ == ring_.size()) grow();
  size_t at = slot(size_);
  Entry& entry = ring_[at];
  entry.id.assign(id);
  entry.sequence = sequence;
  entry.hash = hashOf(id);
  ++size_;
  index_.insert(entry.hash, static_cast<uint32_t>(at));
}

const std::string& EventIdMemory::forgetOldest() {
  Entry& oldest = ring_[head_];
  index_.erase(oldest.hash, static_cast<uint32_t>(head_));
  head_ = (head_ + 1) % ring_.size();
  --size_;
  ++forgotten_;
  return oldest.id;
}

void EventIdMemory::clear() {
  index_.clear();
  ring_.clear();
  head_ = 0;
  size_ = 0;
  forgotten_ = 0;
}

// The ring is re-laid from slot 0 (the unreleased forgotten ids first, then the remembered
// ones), so the index is rebuilt; this happens only while the memory grows to its bound.
void EventIdMemory::grow() {
  std::vector<Entry> bigger(ring_.empty() ? 64 : ring_.size() * 2);
  size_t first = ring_.empty() ? 0 : (head_ + ring_.size() - forgotten_) % ring_.size();
  for (size_t i = 0; i < forgotten_ + size_; ++i) {
    bigger[i] = std::move(ring_[(first + i) % ring_.size()]);
  }
  ring_ = std::move(bigger);
  head_ = forgotten_;
  index_.clear();
  for (size_t i = head_; i < head_ + size_; ++i) {
    index_.insert(ring_[i].hash, static_cast<uint32_t>(i));
  }
}

}  // namespace orion::guardian
