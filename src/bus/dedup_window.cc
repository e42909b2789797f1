#include "bus/dedup_window.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

#include "common/json_writer.h"
#include "common/thread_name.h"
#include "common/thread_priority.h"

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

namespace {

// Rows are keyed by the commit sequence, zero-padded so the store's key order is commit order:
// new rows always go to the right edge of the table and evictions come from the left, which
// keeps each commit to a page or two (and the store's checkpoints small).
std::string rowKey(uint64_t sequence) { return fmt::format("{:020}", sequence); }

}  // namespace

Result<std::unique_ptr<DedupWindow>> DedupWindow::open(size_t capacity, state::StateStore* store,
                                                       std::string table) {
  std::unique_ptr<DedupWindow> window(new DedupWindow(capacity, store, std::move(table)));
  if (store == nullptr) return window;
  auto rows = store->scan(window->table_);  // ordered by row key, so oldest first
  if (!rows) return rows.status().withContext("loading the dedup window " + window->table_);
  state::Batch evicted;
  size_t excess = rows->size() > window->capacity_ ? rows->size() - window->capacity_ : 0;
  for (auto& [row, value] : *rows) {
    uint64_t sequence = std::strtoull(row.c_str(), nullptr, 10);
    window->next_sequence_ = std::max(window->next_sequence_, sequence + 1);
    if (excess > 0) {  // the capacity was lowered since
      evicted.erase(window->table_, row);
      --excess;
      continue;
    }
    if (!value.is_string()) continue;
    std::string key = value.get<std::string>();
    auto [kept, inserted] = window->committed_.insert(std::move(key));
    if (inserted) window->order_.emplace_back(sequence, &*kept);
  }
  if (!evicted.empty()) {
    if (Status status = store->apply(evicted); !status) return status;
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
      auto [kept, inserted] = committed_.insert(key);
      if (!inserted) continue;
      uint64_t sequence = next_sequence_++;
      order_.emplace_back(sequence, &*kept);
      if (store_ != nullptr) {
        std::string value;
        appendJsonString(value, key);
        batch.putText(table_, rowKey(sequence), std::move(value));
      }
    }
    while (order_.size() > capacity_) {
      committed_.erase(committed_.find(*order_.front().second));
      if (store_ != nullptr) batch.erase(table_, rowKey(order_.front().first));
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

DedupPersister::~DedupPersister() { stop(); }

void DedupPersister::submit(DedupWindow& window, std::vector<std::string> keys,
                            std::function<void(const Status&)> done) {
  {
    std::lock_guard lock(mutex_);
    if (!stopped_) {
      if (!thread_.joinable()) {
        thread_ = std::thread([this] {
          nameThisThread("bus-dedup");
          // Acknowledgements wait for it, decisions do not (common/thread_priority.h). Best
          // effort: a thread left at the process's priority works the same.
          lowerThisThreadPriority().ignore();
          run();
        });
      }
      queue_.push_back(Request{&window, std::move(keys), std::move(done)});
      // Only a first request wakes the thread; it then gathers what follows for kGather.
      if (queue_.size() == 1) cv_.notify_one();
      return;
    }
  }
  done(window.commit(keys));
}

void DedupPersister::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    stopped_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void DedupPersister::run() {
  std::unique_lock lock(mutex_);
  while (true) {
    if (queue_.empty()) {
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything is done
      // Woken by a first request: the requests of the next kGather join it.
      if (!stopping_) cv_.wait_for(lock, kGather, [&] { return stopping_; });
    }
    Request request = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    Status committed = request.window->commit(request.keys);
    request.done(committed);
    lock.lock();
  }
}

}  // namespace orion::bus
