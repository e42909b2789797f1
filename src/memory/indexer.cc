#include "memory/indexer.h"

#include <algorithm>
#include <iterator>

#include "common/thread_name.h"
#include "common/thread_priority.h"
#include "memory/index_catch_up.h"
#include "memory/segments.h"

namespace orion::memory {
namespace {

constexpr auto kRetryAfterError = std::chrono::seconds(1);

}  // namespace

Indexer::Indexer(std::filesystem::path dir, std::shared_ptr<AuditFs> fs, MemoryMetrics& metrics,
                 std::function<uint64_t()> durable_seq, size_t max_queued)
    : dir_(std::move(dir)),
      fs_(std::move(fs)),
      metrics_(metrics),
      durable_seq_(std::move(durable_seq)),
      max_queued_(max_queued),
      log_(makeLogger("memory")) {}

Indexer::~Indexer() {
  RealClock clock;
  stop(clock.monotonic(), clock);
}

Status Indexer::start() {
  Result<std::unique_ptr<AuditIndex>> index = AuditIndex::open(dir_ / kIndexFile, false);
  if (!index) return index.status().withContext("opening the audit index");
  index_ = std::move(index).value();
  thread_ = std::thread([this] {
    nameThisThread("audit-index");
    run();
  });
  return Status::ok();
}

void Indexer::add(std::vector<IndexRow>&& rows) {
  std::lock_guard lock(mutex_);
  if (stopping_ && give_up_) return;
  const bool was_behind = behind_;
  const size_t queued_before = queue_.size();
  // Rows not queued are in the log; the next turn reads them from there (catching up costs a
  // parse per record, so rows already queued are kept and written first).
  if (!behind_ && queue_.size() + rows.size() > max_queued_) behind_ = true;
  if (!behind_) {
    if (queue_.empty()) {
      queue_.swap(rows);
    } else {
      queue_.insert(queue_.end(), std::make_move_iterator(rows.begin()),
                    std::make_move_iterator(rows.end()));
    }
  }
  // The thread waits for a first row, then gathers for kGather or kGatherRows: only the moments
  // that end one of those waits wake it (not every batch of the writer's, a context switch each).
  bool first = queued_before == 0 && !queue_.empty();
  bool full = queued_before < kGatherRows && queue_.size() >= kGatherRows;
  if (first || full || (behind_ && !was_behind)) wake_.notify_one();
}

void Indexer::dropBefore(uint64_t first_seq) {
  std::lock_guard lock(mutex_);
  drop_before_ = std::max(drop_before_, first_seq);
  wake_.notify_one();
}

void Indexer::stop(MonoTime deadline, const Clock& clock) {
  {
    std::unique_lock lock(mutex_);
    if (!thread_.joinable()) return;
    stopping_ = true;
    wake_.notify_one();
    Duration left = std::max(Duration(0), deadline - clock.monotonic());
    idle_.wait_for(lock, left, [&] { return queue_.empty() && !busy_; });
    give_up_ = true;
    stop_catch_up_.store(true);
    wake_.notify_one();
  }
  thread_.join();
  index_.reset();
}

void Indexer::run() {
  // Behind the writer and the bus threads in the scheduler's eyes (indexer.h).
  if (Status lowered = lowerThisThreadPriority(); !lowered) {
    log_->debug("could not lower the audit indexer's priority: {}", lowered.message());
  }
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [&] {
      return give_up_ || !queue_.empty() || behind_ || drop_before_ > 0 || stopping_;
    });
    if (give_up_) break;
    if (stopping_ && queue_.empty() && !behind_ && drop_before_ == 0) break;
    if (!stopping_ && !behind_ && drop_before_ == 0 && queue_.size() < kGatherRows) {
      wake_.wait_for(lock, kGather, [&] {
        return give_up_ || stopping_ || behind_ || drop_before_ > 0 || queue_.size() >= kGatherRows;
      });
      if (give_up_) break;
    }
    std::vector<IndexRow> rows;
    rows.swap(queue_);
    bool catch_up = std::exchange(behind_, false);
    uint64_t drop = std::exchange(drop_before_, 0);
    busy_ = true;
    lock.unlock();
    // Rows queued while a catch-up runs either overlap what it indexes (add() skips them) or
    // follow it; a gap shows up as add() failing, and the next turn catches up again.
    Turn result = turn(rows, drop, catch_up);
    lock.lock();
    busy_ = false;
    if (result != Turn::kDone) {
      behind_ = true;
      queue_.clear();
      idle_.notify_all();
      if (stopping_ && result == Turn::kFailed) break;
      // A gap is caught up at once (queries would lag the log meanwhile); an error is retried
      // after a pause so a broken index does not spin.
      if (result == Turn::kFailed) wake_.wait_for(lock, kRetryAfterError, [&] { return give_up_; });
      continue;
    }
    idle_.notify_all();
  }
  idle_.notify_all();
}

Indexer::Turn Indexer::turn(std::vector<IndexRow>& rows, uint64_t drop_before, bool catch_up) {
  if (drop_before > 0) {
    if (Status dropped = index_->dropBefore(drop_before); !dropped) {
      noteError(dropped);
      return Turn::kFailed;
    }
  }
  if (!rows.empty()) {
    Result<uint64_t> added = index_->add(rows);
    if (added) {
      indexed_.store(*added, std::memory_order_release);
    } else if (added.status().code() != StatusCode::kFailedPrecondition) {
      noteError(added.status());
      return Turn::kFailed;
    } else if (!catch_up) {
      return Turn::kGap;
    }  // else the catch-up reads them from the log
  }
  if (catch_up) {
    Result<CatchUpResult> caught =
        catchUpIndex(*index_, *fs_, dir_, durable_seq_(), nullptr, &stop_catch_up_);
    if (!caught) {
      noteError(caught.status());
      return Turn::kFailed;
    }
    if (caught->cleared) log_->warn("the audit index did not match the log; rebuilding it");
    indexed_.store(caught->mark, std::memory_order_release);
  }
  uint64_t durable = durable_seq_();
  uint64_t indexed = indexedSeq();
  metrics_.index_lag.set(static_cast<double>(durable > indexed ? durable - indexed : 0));
  if (!last_error_.empty()) {
    log_->info("updating the audit index works again");
    last_error_.clear();
  }
  return Turn::kDone;
}

void Indexer::noteError(const Status& status) {
  metrics_.index_errors.inc();
  if (status.message() == last_error_) return;
  last_error_ = status.message();
  log_->error("updating the audit index failed (queries lag the log until it works again): {}",
              status.message());
}

}  // namespace orion::memory
