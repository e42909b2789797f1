// The memory service behind makeMemory(): subscribes group "memory" (consumer "memory-1") to every
// contract stream and records each delivered document through the group-commit writer. Exposed
// (beyond memory.h) so tests can inject the file layer and reach the writer.
//
// A delivery is acknowledged only once its record is durable: the handler queues the record and
// returns, and the subscription's before_ack (bus.h, deferred acknowledgement) blocks until the
// batch holding every record the handler queued since the last acknowledgement is fdatasync'd —
// one wait per bus batch, not per message. While the trail cannot be written (a full disk) the
// writer keeps retrying, the wait continues, nothing is acknowledged, and the service reports
// itself degraded (orion_memory_degraded = 1, and a log line when it starts and ends).
//
// Threads: start()/stop() on the supervisor's thread; the handlers on the bus threads; the writer
// and the indexer on their own threads.
#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "bus/module_context.h"
#include "common/logging.h"
#include "common/service.h"
#include "config/config.h"
#include "memory/audit_file.h"
#include "memory/audit_writer.h"
#include "memory/indexer.h"
#include "memory/memory_metrics.h"

namespace orion::memory {

class MemoryService final : public Service {
 public:
  MemoryService(config::MemoryConfig config, std::filesystem::path audit_dir, ModuleContext context,
                std::shared_ptr<AuditFs> fs = makePosixAuditFs());
  ~MemoryService() override;

  std::string_view name() const override { return "memory"; }
  // Loads the HMAC key (if configured), opens and recovers the trail (taking its lock), starts
  // the writer and the indexer and subscribes to every stream. Any failure undoes what was started
  // and is returned with context ("memory: ..."). An index that cannot be opened is logged and
  // the trail is written without it (it is rebuilt later from the log).
  Status start() override;
  // Lets each stream's backlog drain until `deadline`, then writes what is queued (or gives up at
  // the deadline: those messages stay unacknowledged), stops the subscriptions, the indexer and
  // the writer, and releases the trail. Idempotent.
  void stop(MonoTime deadline) override;

  // The contract types memory records: contracts::pipelineTypes() and every other stream
  // (deadletter, approval, validation, edge.*), each once.
  static std::vector<std::string> recordedTypes();

  const std::filesystem::path& auditDir() const { return audit_dir_; }
  bool degraded() const { return writer_ && writer_->degraded(); }
  AuditWriter* writer() { return writer_.get(); }
  Indexer* indexer() { return indexing_ ? indexer_.get() : nullptr; }

 private:
  // What one subscription's handler queued since its last acknowledgement.
  struct Unconfirmed {
    uint64_t seq = 0;
  };
  Status handle(const bus::Delivery& delivery, Unconfirmed& unconfirmed);
  Status confirm(Unconfirmed& unconfirmed);

  config::MemoryConfig config_;
  std::filesystem::path audit_dir_;
  ModuleContext context_;
  std::shared_ptr<AuditFs> fs_;
  Logger logger_;
  MemoryMetrics metrics_;
  std::unique_ptr<Indexer> indexer_;
  std::atomic<bool> indexing_{false};
  std::unique_ptr<AuditWriter> writer_;
  std::vector<std::unique_ptr<bus::Subscription>> subscriptions_;
};

}  // namespace orion::memory
