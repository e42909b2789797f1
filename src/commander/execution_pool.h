// Where the commander runs its executions: a few worker threads, so a slow action (a 60 s
// diagnostic, a container that takes its time to stop) never holds up the decisions and
// approvals behind it. The consuming threads journal an execution and publish it as
// "executing", then hand it here and go on.
//
// Jobs with the same key (the action's target, e.g. the container) run one at a time, in the
// order they were submitted; jobs with different keys run side by side on the free workers.
// drain() stops taking new jobs and returns once every submitted one has finished: an execution
// the commander has journalled always completes (its outcome is published) before it stops.
// Thread-safe.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"

namespace orion::commander {

class ExecutionPool {
 public:
  // `workers` ≥ 1 threads, started at once.
  explicit ExecutionPool(size_t workers);
  ~ExecutionPool();  // drain()
  ExecutionPool(const ExecutionPool&) = delete;
  ExecutionPool& operator=(const ExecutionPool&) = delete;

  // Queues `job`. kFailedPrecondition once drain() has begun (nothing is queued then).
  Status submit(std::string key, std::function<void()> job);

  // Jobs queued or running.
  size_t inProgress() const;

  // Stops taking jobs, waits for every queued and running one, joins the workers.
  void drain();

 private:
  struct Job {
    std::string key;
    std::function<void()> run;
  };
  void work();
  // The first queued job whose key is not running, removed from the queue; false if none.
  bool takeRunnable(Job& job);

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> queue_;
  std::multiset<std::string> running_;
  bool draining_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace orion::commander
