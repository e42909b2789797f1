#include "commander/execution_pool.h"

#include <algorithm>

namespace orion::commander {

ExecutionPool::ExecutionPool(size_t workers) {
  workers = std::max<size_t>(1, workers);
  workers_.reserve(workers);
  for (size_t i = 0; i < workers; ++i) workers_.emplace_back([this] { work(); });
}

ExecutionPool::~ExecutionPool() { drain(); }

Status ExecutionPool::submit(std::string key, std::function<void()> job) {
  {
    std::lock_guard lock(mutex_);
    if (draining_) return failedPrecondition("the commander is stopping: no new execution");
    queue_.push_back(Job{std::move(key), std::move(job)});
  }
  wake_.notify_all();
  return Status::ok();
}

size_t ExecutionPool::inProgress() const {
  std::lock_guard lock(mutex_);
  return queue_.size() + running_.size();
}

void ExecutionPool::drain() {
  {
    std::lock_guard lock(mutex_);
    draining_ = true;
  }
  wake_.notify_all();
  for (std::thread& worker : workers_) {
    if (worker.joinable()) worker.join();
  }
  workers_.clear();
}

bool ExecutionPool::takeRunnable(Job& job) {
  auto it = std::find_if(queue_.begin(), queue_.end(), [this](const Job& queued) {
    // An empty key is no target: such jobs never wait for each other.
    return queued.key.empty() || !running_.contains(queued.key);
  });
  if (it == queue_.end()) return false;
  job = std::move(*it);
  queue_.erase(it);
  return true;
}

void ExecutionPool::work() {
  std::unique_lock lock(mutex_);
  while (true) {
    Job job;
    wake_.wait(lock, [&] { return takeRunnable(job) || (draining_ && queue_.empty()); });
    if (!job.run) return;  // draining, and nothing is left to run
    running_.insert(job.key);
    lock.unlock();
    job.run();
    lock.lock();
    running_.erase(running_.find(job.key));
    wake_.notify_all();  // a job of the same key may be runnable now, or drain may finish
  }
}

}  // namespace orion::commander
