#include "memory/memory_service.h"

#include <algorithm>

#include "contracts/registry.h"

namespace orion::memory {

namespace {
constexpr std::string_view kGroup = "memory";
constexpr std::string_view kConsumer = "memory-1";
}  // namespace

MemoryService::MemoryService(config::MemoryConfig config, std::filesystem::path audit_path,
                             ModuleContext context, AuditFileOpener opener)
    : config_(std::move(config)),
      audit_path_(std::move(audit_path)),
      context_(std::move(context)),
      opener_(std::move(opener)),
      logger_(makeLogger("memory")),
      duplicates_(context_.metrics.counter("orion_memory_duplicates_total",
                                           "Redelivered documents already in the audit log")),
      write_errors_(context_.metrics.counter("orion_memory_write_errors_total",
                                             "Audit appends that failed (the bus redelivers)")),
      sync_errors_(context_.metrics.counter("orion_memory_sync_errors_total",
                                            "fdatasync calls on the audit log that failed")),
      last_seq_(context_.metrics.gauge("orion_memory_last_seq", "Seq of the last audit record")) {}

MemoryService::~MemoryService() { stop(context_.clock.monotonic()); }

std::vector<std::string> MemoryService::recordedTypes() {
  std::vector<std::string> types;
  auto add = [&](std::string_view type) {
    if (std::find(types.begin(), types.end(), type) == types.end()) types.emplace_back(type);
  };
  for (std::string_view type : contracts::pipelineTypes()) add(type);
  namespace type = contracts::type;
  for (std::string_view extra :
       {type::kDeadletter, type::kApproval, type::kValidation, type::kEdgeCommand,
        type::kEdgeTelemetry, type::kEdgeHealth, type::kAutonomyChange}) {
    add(extra);
  }
  return types;
}

Status MemoryService::start() {
  if (log_) return failedPrecondition("memory: already started");
  Result<std::unique_ptr<AuditFile>> file = opener_(audit_path_);
  if (!file) return file.status().withContext("memory: opening the audit file");
  Result<std::unique_ptr<AuditLog>> log = AuditLog::open(std::move(file).value());
  if (!log) return log.status().withContext("memory: reading the audit file");
  log_ = std::move(log).value();

  const Recovery& recovery = log_->recovery();
  if (recovery.torn_bytes_removed > 0) {
    logger_->warn("{}: removed an unfinished final line ({} bytes) left by a crash",
                  audit_path_.string(), recovery.torn_bytes_removed);
  }
  if (recovery.unreadable_lines > 0) {
    logger_->warn("{}: {} unreadable lines near the end were skipped", audit_path_.string(),
                  recovery.unreadable_lines);
  }
  showSeq(recovery.last_seq);

  std::vector<std::string> types = recordedTypes();
  for (const std::string& type : types) {
    records_[type] = &context_.metrics.counter(
        "orion_memory_records_total", "Documents recorded in the audit log", {{"type", type}});
  }
  {
    std::lock_guard lock(flush_mutex_);
    flush_stopping_ = false;
  }
  flush_thread_ = std::thread([this] { flushLoop(); });

  for (const std::string& type : types) {
    auto subscription =
        context_.bus.subscribe({type, std::string(kGroup), std::string(kConsumer)},
                               [this](const bus::Delivery& delivery) { return handle(delivery); });
    if (!subscription) {
      Status error = subscription.status().withContext("memory: subscribing to '" + type + "'");
      stop(context_.clock.monotonic());
      return error;
    }
    subscriptions_.push_back(std::move(subscription).value());
  }
  logger_->info("recording {} streams to {} (last seq {})", types.size(), audit_path_.string(),
                recovery.last_seq);
  return Status::ok();
}

void MemoryService::stop(MonoTime deadline) {
  // Memory stops last; what the other modules published before stopping should be on record.
  for (const auto& subscription : subscriptions_) subscription->drain(deadline);
  for (const auto& subscription : subscriptions_) subscription->stop();
  subscriptions_.clear();
  {
    std::lock_guard lock(flush_mutex_);
    flush_stopping_ = true;
  }
  flush_wake_.notify_all();
  if (flush_thread_.joinable()) flush_thread_.join();
  if (log_) {
    syncNow();
    log_.reset();
  }
}

Status MemoryService::handle(const bus::Delivery& delivery) {
  Result<Appended> appended =
      log_->append(delivery.type, delivery.entry_id, *delivery.document, context_.clock.now());
  if (!appended) {
    write_errors_.inc();
    noteFailure("writing the audit log failed; the delivery stays unacknowledged and is retried",
                appended.status());
    // kInvalidArgument would tell the bus the message can never succeed; a write can.
    if (appended.status().code() == StatusCode::kInvalidArgument) {
      return unavailable(appended.status().message());
    }
    return appended.status();
  }
  noteSuccess();
  if (appended->duplicate) {
    duplicates_.inc();
    return Status::ok();
  }
  auto counter = records_.find(delivery.type);
  if (counter != records_.end()) counter->second->inc();
  showSeq(appended->seq);
  requestFlush();
  return Status::ok();
}

void MemoryService::requestFlush() {
  if (flush_pending_.exchange(true)) return;
  // Taking the mutex orders this notification after the flush thread's predicate check.
  { std::lock_guard lock(flush_mutex_); }
  flush_wake_.notify_one();
}

void MemoryService::flushLoop() {
  std::unique_lock lock(flush_mutex_);
  while (true) {
    flush_wake_.wait(lock, [this] { return flush_stopping_ || flush_pending_.load(); });
    if (flush_stopping_) return;
    // Let a batch gather: everything written within sync_interval shares one fdatasync.
    flush_wake_.wait_for(lock, config_.sync_interval, [this] { return flush_stopping_; });
    flush_pending_.store(false);
    lock.unlock();
    syncNow();
    lock.lock();
  }
}

void MemoryService::syncNow() {
  Status status = log_->sync();
  if (!status.isOk()) {
    sync_errors_.inc();
    noteFailure(
        "syncing the audit log failed; records written since the last sync may not be durable",
        status);
  }
}

void MemoryService::noteFailure(std::string_view what, const Status& status) {
  std::lock_guard lock(status_mutex_);
  failing_.store(true);
  if (status.message() == last_failure_) return;
  last_failure_ = status.message();
  logger_->error("{}: {}", what, status.toString());
}

void MemoryService::noteSuccess() {
  if (!failing_.load()) return;
  std::lock_guard lock(status_mutex_);
  if (!failing_.exchange(false)) return;
  last_failure_.clear();
  logger_->info("writing the audit log works again");
}

void MemoryService::showSeq(uint64_t seq) {
  // Bus threads finish out of order; the gauge must not step back.
  std::lock_guard lock(status_mutex_);
  if (seq < shown_seq_) return;
  shown_seq_ = seq;
  last_seq_.set(static_cast<double>(seq));
}

}  // namespace orion::memory
