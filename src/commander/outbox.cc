#include "commander/outbox.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

namespace orion::commander {
namespace {

constexpr const char* kTable = "outbox";  // sequence (20 digits) → {type, document}

std::string keyOf(uint64_t sequence) { return fmt::format("{:020}", sequence); }

}  // namespace

Status Outbox::load() {
  if (store_ == nullptr) return Status::ok();
  auto stored = store_->scan(kTable);
  if (!stored) return stored.status().withContext("commander: reading its outbox");
  for (auto& [key, entry] : *stored) {
    uint64_t sequence = std::strtoull(key.c_str(), nullptr, 10);
    entries_.push_back({sequence, entry.value("type", ""), entry["document"]});
    sequence_ = std::max(sequence_, sequence);
  }
  std::sort(entries_.begin(), entries_.end(),
            [](const Entry& a, const Entry& b) { return a.sequence < b.sequence; });
  return Status::ok();
}

Status Outbox::publish(bus::Bus& bus, std::string_view type, const Json& document) {
  flush(bus);
  Status refused = Status::ok();
  if (entries_.empty()) {
    auto published = bus.publish(type, document);
    if (published) return Status::ok();
    refused = published.status();
  }
  Entry entry{++sequence_, std::string(type), document};
  if (store_ != nullptr) {
    Status kept = store_->put(kTable, keyOf(entry.sequence),
                              Json{{"type", entry.type}, {"document", document}});
    if (!kept.isOk() && refused.isOk()) refused = kept;
  }
  entries_.push_back(std::move(entry));
  return refused;
}

void Outbox::flush(bus::Bus& bus) {
  while (!entries_.empty()) {
    const Entry& next = entries_.front();
    if (!bus.publish(next.type, next.document)) break;
    if (store_ != nullptr) store_->erase(kTable, keyOf(next.sequence)).ignore();
    entries_.pop_front();
  }
}

}  // namespace orion::commander
