#include "api/stream_hub.h"

#include <algorithm>

namespace orion::api {

std::string sseFrame(std::string_view type, std::string_view id, const Json& data) {
  std::string frame;
  std::string json = data.dump();  // compact: one line, so one `data:` field
  frame.reserve(json.size() + type.size() + id.size() + 24);
  frame.append("event: ").append(type).append("\n");
  if (!id.empty()) frame.append("id: ").append(id).append("\n");
  frame.append("data: ").append(json).append("\n\n");
  return frame;
}

StreamClient::StreamClient(std::set<std::string, std::less<>> types, size_t queue_limit)
    : types_(std::move(types)), queue_limit_(std::max<size_t>(queue_limit, 1)) {}

StreamClient::Batch StreamClient::next(Duration wait) {
  std::unique_lock lock(mutex_);
  // A real-time wait: it paces the keep-alive comments, it is not time logic.
  ready_.wait_for(lock, wait, [this] { return !queue_.empty() || overflowed_ || closed_; });
  Batch batch;
  batch.overflowed = overflowed_;
  batch.closed = closed_;
  if (overflowed_ || closed_) return batch;
  for (std::string& frame : queue_) batch.frames.append(frame);
  batch.count = queue_.size();
  queue_.clear();
  return batch;
}

bool StreamClient::push(const std::string& frame) {
  bool overflowed_now = false;
  {
    std::lock_guard lock(mutex_);
    if (overflowed_ || closed_) return true;
    if (queue_.size() >= queue_limit_) {
      overflowed_ = overflowed_now = true;
      queue_.clear();
    } else {
      queue_.push_back(frame);
    }
  }
  ready_.notify_one();
  return !overflowed_now;
}

void StreamClient::close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  ready_.notify_all();
}

std::shared_ptr<StreamClient> StreamHub::join(std::set<std::string, std::less<>> types,
                                              size_t queue_limit) {
  std::lock_guard lock(mutex_);
  if (closed_ || clients_.size() >= max_clients_) return nullptr;
  clients_.push_back(std::make_shared<StreamClient>(std::move(types), queue_limit));
  return clients_.back();
}

void StreamHub::leave(const std::shared_ptr<StreamClient>& client) {
  std::lock_guard lock(mutex_);
  clients_.erase(std::remove(clients_.begin(), clients_.end(), client), clients_.end());
}

size_t StreamHub::offer(std::string_view type, std::string_view id, const Json& document) {
  std::vector<std::shared_ptr<StreamClient>> wanting;
  {
    std::lock_guard lock(mutex_);
    for (const auto& client : clients_) {
      if (client->wants(type)) wanting.push_back(client);
    }
  }
  if (wanting.empty()) return 0;
  std::string frame = sseFrame(type, id, document);  // built once for every client
  size_t overflowed = 0;
  for (const auto& client : wanting) {
    if (!client->push(frame)) ++overflowed;
  }
  return overflowed;
}

void StreamHub::closeAll() {
  std::vector<std::shared_ptr<StreamClient>> all;
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    all = clients_;
  }
  for (const auto& client : all) client->close();
}

size_t StreamHub::clients() const {
  std::lock_guard lock(mutex_);
  return clients_.size();
}

}  // namespace orion::api
