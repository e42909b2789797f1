#include "bus/dedup_window.h"

#include <fmt/format.h>

#include <algorithm>

namespace orion::bus {

std::string documentIdField(const contracts::ContractRegistry& contracts, std::string_view type) {
  const Json* schema = contracts.schema(type);
  if (schema == nullptr || !schema->contains("required") || !(*schema)["required"].is_array()) {
    return {};
  }
  for (const Json& field : (*schema)["required"]) {
    if (field.is_string() && field.get<std::string>().ends_with("_id")) {
      return field.get<std::string>();
    }
  }
  return {};
}

std::string dedupKey(std::string_view id, std::string_view text) {
  // FNV-1a: stable across builds and runs (the keys are persisted), and fast on short texts.
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return fmt::format("{}:{:016x}", id, hash);
}

DedupWindow::DedupWindow(size_t capacity, state::StateStore* store, std::string table)
    : capacity_(std::max<size_t>(capacity, 1)), store_(store), table_(std::move(table)) {}

Result<std::unique_ptr<DedupWindow>> DedupWindow::open(size_t capacity, state::StateStore* store,
                                                       std::string table) {
  std::unique_ptr<DedupWindow> window(new DedupWindow(capacity, store, std::move(table)));
  if (store == nullptr) return window;
  auto rows = store->scan(window->table_);
  if (!rows) return rows.status().withContext("loading the dedup window " + window->table_);
  std::vector<std::pair<uint64_t, std::string>> loaded;
  for (auto& [key, value] : *rows) {
    uint64_t sequence = value.is_number_unsigned() ? value.get<uint64_t>() : 0;
    loaded.emplace_back(sequence, key);
  }
  std::sort(loaded.begin(), loaded.end());
  state::Batch evicted;
  while (loaded.size() > window->capacity_) {  // the capacity was lowered since
    evicted.erase(window->table_, loaded.front().second);
    loaded.erase(loaded.begin());
  }
  if (!evicted.empty()) {
    if (Status status = store->apply(evicted); !status) return status;
  }
  for (auto& [sequence, key] : loaded) {
    window->committed_.insert(key);
    window->order_.emplace_back(sequence, key);
    window->next_sequence_ = std::max(window->next_sequence_, sequence + 1);
  }
  return window;
}

bool DedupWindow::claim(const std::string& key) {
  std::lock_guard lock(mutex_);
  if (committed_.contains(key)) return false;
  return held_.insert(key).second;
}

Status DedupWindow::commit(const std::vector<std::string>& keys) {
  if (keys.empty()) return Status::ok();
  state::Batch batch;
  {
    std::lock_guard lock(mutex_);
    for (const std::string& key : keys) {
      held_.erase(key);
      if (!committed_.insert(key).second) continue;
      uint64_t sequence = next_sequence_++;
      order_.emplace_back(sequence, key);
      if (store_ != nullptr) batch.put(table_, key, Json(sequence));
    }
    while (order_.size() > capacity_) {
      committed_.erase(order_.front().second);
      if (store_ != nullptr) batch.erase(table_, order_.front().second);
      order_.pop_front();
    }
  }
  if (store_ == nullptr || batch.empty()) return Status::ok();
  return store_->apply(batch).withContext("persisting the dedup window " + table_);
}

void DedupWindow::release(const std::vector<std::string>& keys) {
  std::lock_guard lock(mutex_);
  for (const std::string& key : keys) held_.erase(key);
}

size_t DedupWindow::size() const {
  std::lock_guard lock(mutex_);
  return committed_.size();
}

}  // namespace orion::bus
