// The daemon's indexer: keeps index.db up to date with the durable log, on its own thread, so
// queries never wait for the writer and the writer never waits for SQLite.
//
// The writer hands it the rows of each durable batch (add(), called on the writer thread; it only
// queues). The indexer thread writes them in one transaction per turn, after gathering rows for
// up to kGather (or until kGatherRows wait): a commit (its WAL frames, now and then a checkpoint)
// costs about as much for a few rows as for hundreds, and the writer's batches are small when
// records arrive one by one. At start and after a failure it catches up from the log instead
// (index_catch_up.h), up to what the writer has made durable; when its queue is full, it writes
// the queued rows and catches up on what follows. The index may lag; it never holds a record the
// log does not.
//
// The index is derived data; appending is what the bus's acknowledgements wait for. So the
// indexer thread runs at a lower priority (nice 10) than the writer and the bus threads: during a
// burst it takes the CPU they leave, and catches up after. Not in the idle scheduling class
// (makeThisThreadIdle), which measured better at 1 000 events/s: the API answers from the index
// as it is (no catch-up on a request thread), and on a saturated machine an idle-class indexer
// left the dashboard's incident timeline behind for as long as the load lasted.
//
// start() and stop() from the owner's thread; add() and dropBefore() from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/logging.h"
#include "common/status.h"
#include "memory/audit_file.h"
#include "memory/audit_index.h"
#include "memory/index_fields.h"
#include "memory/memory_metrics.h"

namespace orion::memory {

class Indexer {
 public:
  static constexpr size_t kMaxQueued = 200'000;
  static constexpr auto kGather = std::chrono::milliseconds(50);
  static constexpr size_t kGatherRows = 1024;

  // `durable_seq` reads the writer's durable seq (the most the index may cover). At most
  // `max_queued` rows wait for the indexer thread; beyond that it reads the records from the log.
  Indexer(std::filesystem::path dir, std::shared_ptr<AuditFs> fs, MemoryMetrics& metrics,
          std::function<uint64_t()> durable_seq, size_t max_queued = kMaxQueued);
  ~Indexer();  // stop() with an immediate deadline

  // Opens (creates) the index and starts the thread; it begins by catching up from the log.
  Status start();
  // Rows of one durable batch, in seq order. Not queued when more than `max_queued` would be
  // waiting: the rows already queued are indexed, then what follows is caught up from the log.
  void add(std::vector<IndexRow>&& rows);
  // Retention deleted every record before `first_seq`.
  void dropBefore(uint64_t first_seq);
  // Writes what is queued until `deadline`, then stops; the rest is caught up at the next start.
  void stop(MonoTime deadline, const Clock& clock);

  // The index's mark (for tests and metrics).
  uint64_t indexedSeq() const { return indexed_.load(std::memory_order_acquire); }

 private:
  void run();
  // One turn: the queued rows, or a catch-up from the log. kGap when the rows do not follow the
  // index (never started, or rows were dropped): the next turn catches up at once. kFailed on an
  // error: the next turn waits a little first.
  enum class Turn { kDone, kGap, kFailed };
  Turn turn(std::vector<IndexRow>& rows, uint64_t drop_before, bool catch_up);
  void noteError(const Status& status);

  std::filesystem::path dir_;
  std::shared_ptr<AuditFs> fs_;
  MemoryMetrics& metrics_;
  std::function<uint64_t()> durable_seq_;
  size_t max_queued_;
  Logger log_;
  std::unique_ptr<AuditIndex> index_;  // indexer thread only, after start()

  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::vector<IndexRow> queue_;
  bool behind_ = true;  // catch up from the log before using the queue
  uint64_t drop_before_ = 0;
  bool stopping_ = false;
  bool give_up_ = false;
  bool busy_ = false;
  std::string last_error_;

  std::atomic<uint64_t> indexed_{0};
  std::atomic<bool> stop_catch_up_{false};
  std::thread thread_;
};

}  // namespace orion::memory
