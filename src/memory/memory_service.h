// The memory service behind makeMemory(): subscribes group "memory" (consumer "memory-1") to every
// contract stream and appends each delivered document to the audit log before the bus
// acknowledges it. Exposed (beyond memory.h) so tests can inject the audit file.
//
// A delivery is acknowledged only once its record is written to the file descriptor; a failed
// write (a full disk) returns the error to the bus, which redelivers the message, so nothing
// unwritten is ever acknowledged. A background thread fdatasync()s written records in batches,
// sync_interval after the first unsynced append (it sleeps while nothing is written), and stop()
// syncs what is left.
//
// Metrics: orion_memory_records_total{type}, orion_memory_duplicates_total,
// orion_memory_write_errors_total, orion_memory_sync_errors_total, orion_memory_last_seq (gauge).
// Write and sync failures are logged when they start, when the error changes and when they end.
#pragma once

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bus/module_context.h"
#include "common/logging.h"
#include "common/service.h"
#include "config/config.h"
#include "memory/audit_file.h"
#include "memory/audit_log.h"

namespace orion::memory {

class MemoryService final : public Service {
 public:
  MemoryService(config::MemoryConfig config, std::filesystem::path audit_path,
                ModuleContext context, AuditFileOpener opener = openPosixAuditFile);
  ~MemoryService() override;

  std::string_view name() const override { return "memory"; }
  // Opens (or creates) the audit file, recovers its last seq and recent ids, starts the flush
  // thread and subscribes to every stream. Any failure undoes what was started and is returned
  // with context ("memory: ...").
  Status start() override;
  // Lets each stream's backlog drain until `deadline`, stops the subscriptions (what is not
  // recorded stays pending on the bus), then syncs and closes the file. Idempotent.
  void stop(MonoTime deadline) override;

  // The contract types memory records: contracts::pipelineTypes() and every other stream
  // (deadletter, approval, validation, edge.*), each once.
  static std::vector<std::string> recordedTypes();

  const std::filesystem::path& auditPath() const { return audit_path_; }

 private:
  Status handle(const bus::Delivery& delivery);
  void flushLoop();
  void requestFlush();
  void syncNow();
  // Logs a write or sync failure (`what` says which and what it means) once per distinct error,
  // and the recovery.
  void noteFailure(std::string_view what, const Status& status);
  void noteSuccess();
  void showSeq(uint64_t seq);

  config::MemoryConfig config_;
  std::filesystem::path audit_path_;
  ModuleContext context_;
  AuditFileOpener opener_;
  Logger logger_;

  Counter& duplicates_;
  Counter& write_errors_;
  Counter& sync_errors_;
  Gauge& last_seq_;
  std::map<std::string, Counter*, std::less<>> records_;  // filled in start(), read-only after

  std::unique_ptr<AuditLog> log_;
  std::vector<std::unique_ptr<bus::Subscription>> subscriptions_;

  std::mutex flush_mutex_;
  std::condition_variable flush_wake_;
  std::atomic<bool> flush_pending_{false};
  bool flush_stopping_ = false;
  std::thread flush_thread_;

  std::atomic<bool> failing_{false};
  std::mutex status_mutex_;
  std::string last_failure_;
  uint64_t shown_seq_ = 0;
};

}  // namespace orion::memory
