// The group-commit writer of the audit trail: the only code that appends to it.
//
// Callers (the memory service's bus threads) submit() documents; each gets the next seq at once
// and is queued. One writer thread takes what is queued — waiting up to `sync_interval` for a
// batch to fill when it was idle, and starting a write at most once per `sync_interval` while
// records keep coming (at once when `sync_batch_records` wait) — chains and hashes the
// records, appends them to the active segment with one write(2), fdatasync()s, and then marks
// them durable: waitDurable(seq) returns, and the bus may acknowledge. So a record counts as
// written only once it is durable, and one fsync covers a whole batch.
//
// The writer rotates segments by size and UTC day (the chain continues: a segment's first record
// follows the previous segment's last), rewrites head.json after each durable batch, and applies
// retention (deleting whole old segments after writing a checkpoint) after each rotation, at start
// and hourly. A failed write or sync (a full disk) changes nothing already written: the partial
// batch is cut off again, the records stay queued in order, the writer reports itself degraded
// (metric and log, once per distinct error) and retries with capped back-off until it succeeds.
//
// Thread-safety: submit(), waitDurable() and the accessors may be called from any thread;
// close() from one thread, once.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/json.h"
#include "common/logging.h"
#include "common/status.h"
#include "memory/audit_file.h"
#include "memory/chain_hasher.h"
#include "memory/dedup_window.h"
#include "memory/index_fields.h"
#include "memory/memory_metrics.h"
#include "memory/trail_files.h"
#include "memory/trail_recovery.h"

namespace orion::memory {

struct WriterOptions {
  std::filesystem::path dir;
  std::optional<std::string> key;  // HMAC key; std::nullopt: SHA-256 chain
  std::string node;                // the node memory runs on (for documents that name none)
  Duration sync_interval = std::chrono::milliseconds(10);
  size_t sync_batch_records = 4096;
  uint64_t segment_max_bytes = uint64_t{64} << 20;
  bool rotate_daily = true;
  Duration retention_max_age = Duration(0);  // 0: no age limit
  uint64_t retention_max_bytes = 0;          // 0: no size limit
  size_t dedup_window = 65536;
  uint64_t max_pending_bytes = uint64_t{64} << 20;  // submit() refuses beyond this
  Duration retry_initial = std::chrono::milliseconds(50);
  Duration retry_max = std::chrono::seconds(5);
  Duration head_sync_interval = std::chrono::seconds(1);  // head.json fsync'd at most this often
};

struct Submitted {
  uint64_t seq = 0;        // the record's seq; for a duplicate, the original's
  bool duplicate = false;  // already recorded (or queued): nothing new was queued
};

class AuditWriter {
 public:
  // Called on the writer thread after each durable batch, in seq order. Must not block for long.
  using DurableListener = std::function<void(std::vector<IndexRow>&& records)>;
  // Called on the writer thread after retention deleted every record before `first_seq`.
  using RetentionListener = std::function<void(uint64_t first_seq)>;

  // Locks the trail directory, recovers it (trail_recovery.h), queues the repair and integrity
  // records recovery produced, applies retention and starts the writer thread. Errors as
  // recoverTrail, and kFailedPrecondition when another process holds the trail's lock.
  // The listeners (may be empty) are called on the writer thread from the first batch on.
  static Result<std::unique_ptr<AuditWriter>> open(WriterOptions options,
                                                   std::shared_ptr<AuditFs> fs, const Clock& clock,
                                                   MemoryMetrics& metrics,
                                                   DurableListener on_durable = nullptr,
                                                   RetentionListener on_retention = nullptr);
  ~AuditWriter();  // close() with an immediate deadline

  // Queues `document` of contract `type`, delivered as bus entry `entry_id`, unless a record with
  // the same key (recordKey) is in the duplicate window. kUnavailable once close() began;
  // kResourceExhausted when more than max_pending_bytes are queued (a disk that has been full for
  // long). Never blocks on I/O.
  Result<Submitted> submit(std::string_view type, std::string_view entry_id, const Json& document);

  // Blocks until record `seq` is durable (OK) or close() gives up on it (kCancelled).
  Status waitDurable(uint64_t seq);

  // Asks the writer thread to apply retention now and waits for it; its Status.
  Status enforceRetention();

  // Writes what is queued until `deadline` (at least one attempt, even if the deadline passed),
  // then cancels the waiters of what is left, stops the thread and releases the lock.
  void close(MonoTime deadline);

  uint64_t durableSeq() const { return durable_seq_.load(std::memory_order_acquire); }
  bool degraded() const { return degraded_.load(std::memory_order_acquire); }
  Head head() const;
  // The last records recovery restored the chain from, and what it repaired.
  uint64_t recoveredSeq() const { return recovered_seq_; }
  uint64_t tornBytesRemoved() const { return torn_bytes_; }
  const std::filesystem::path& dir() const { return options_.dir; }

 private:
  // A queued record. Its bytes after recorded_at (formatRecordRest) are not kept per record but
  // back to back with the others' in one buffer (pending_rest_, then a batch's), so queueing a
  // record allocates nothing for them and the writer hands the whole queue over in one swap.
  struct Pending {
    uint64_t seq = 0;
    int64_t micros = 0;
    uint32_t rest_size = 0;
    std::string type;
    IndexFields fields;
  };
  // Records taken off the queue, and their rests in order.
  struct Batch {
    std::vector<Pending> records;
    std::string rests;
  };
  struct Segment {
    std::string name;
    uint64_t first_seq = 0;
    uint64_t bytes = 0;
  };

  AuditWriter(WriterOptions options, std::shared_ptr<AuditFs> fs, const Clock& clock,
              MemoryMetrics& metrics);
  Status start(RecoveredTrail recovered);
  Result<Submitted> enqueue(std::string_view type, std::string_view entry_id, std::string node,
                            const Json& document);
  void run();
  // Takes up to batch_limit_ records off the queue into batch_ (mutex_ held).
  void takeBatch();
  // Puts the records of batch_ from `first` on back at the front of the queue (mutex_ held).
  void requeue(size_t first);
  // Writes batch_ (consecutive seqs). Returns how many leading records became durable; fewer
  // than batch_.records.size() means a failure (recorded in `error`).
  size_t writeBatch(Status& error);
  bool rotationDue(const Pending& record, uint64_t bytes_so_far) const;
  Status rotate(uint64_t first_seq);
  void afterDurable(std::vector<IndexRow>&& records);
  void noteFailure(const Status& status);
  void noteRecovered();
  Status applyRetention();
  Status writeHeadFile(bool durable);
  void updateSizeMetrics();

  WriterOptions options_;
  std::shared_ptr<AuditFs> fs_;
  const Clock& clock_;
  MemoryMetrics& metrics_;
  Logger log_;
  ChainHasher keyed_;  // the trail's hasher (HMAC when a key is set)
  ChainHasher plain_;  // SHA-256, for reading records written before a key was set
  std::unique_ptr<FileLock> lock_;
  DurableListener on_durable_;
  RetentionListener on_retention_;

  // Guarded by mutex_.
  mutable std::mutex mutex_;
  std::condition_variable work_cv_;     // the writer waits for records, retention, close
  std::condition_variable durable_cv_;  // waitDurable waits for durable_seq_ or cancellation
  std::deque<Pending> pending_;
  std::string pending_rest_;  // the rests of pending_, in order
  uint64_t pending_bytes_ = 0;
  uint64_t next_seq_ = 0;  // the last seq handed out
  int64_t last_micros_ = 0;
  DedupWindow window_;
  bool closing_ = false;    // no new submits; the writer drains what is queued
  bool give_up_ = false;    // close() stopped waiting: cancel what is left
  bool cancelled_ = false;  // the waiters of records not durable get kCancelled
  bool writing_ = false;    // the writer thread holds a batch outside the queue
  bool retention_requested_ = false;
  uint64_t retention_runs_ = 0;
  Status retention_status_;
  Head head_;

  std::atomic<uint64_t> durable_seq_{0};
  std::atomic<bool> degraded_{false};
  uint64_t recovered_seq_ = 0;
  uint64_t torn_bytes_ = 0;

  // Writer thread only.
  Batch batch_;               // what is being written; its buffers keep their capacity
  std::string write_buffer_;  // the lines of one write(2)
  std::vector<Segment> segments_;
  std::unique_ptr<AuditFile> active_;
  int64_t active_day_ = -1;
  std::string tip_hash_;
  uint64_t tip_seq_ = 0;
  std::string last_error_;
  Duration retry_delay_{0};
  size_t batch_limit_ = 65536;  // records per write; halved after each failure, until one fits
  MonoTime last_head_sync_{};
  MonoTime last_write_start_{};  // writer thread: the group commit's pace
  WallTime next_retention_check_{};
  bool rotation_failed_ = false;
  std::map<std::string, Counter*, std::less<>> type_counters_;

  std::thread thread_;
};

}  // namespace orion::memory
