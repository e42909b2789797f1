#include "memory/memory_service.h"

#include <algorithm>

#include "contracts/registry.h"
#include "memory/memory.h"

namespace orion::memory {

namespace {
constexpr std::string_view kGroup = "memory";
constexpr std::string_view kConsumer = "memory-1";
}  // namespace

MemoryService::MemoryService(config::MemoryConfig config, std::filesystem::path audit_dir,
                             ModuleContext context, std::shared_ptr<AuditFs> fs)
    : config_(std::move(config)),
      audit_dir_(std::move(audit_dir)),
      context_(std::move(context)),
      fs_(std::move(fs)),
      logger_(makeLogger("memory")),
      metrics_(context_.metrics) {}

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
  if (writer_) return failedPrecondition("memory: already started");
  WriterOptions options;
  options.dir = audit_dir_;
  options.node = context_.node;
  options.sync_interval = config_.sync_interval;
  options.sync_batch_records = static_cast<size_t>(config_.sync_batch_records);
  options.segment_max_bytes = static_cast<uint64_t>(config_.segment_max_mib) << 20;
  options.rotate_daily = config_.rotate_daily;
  options.retention_max_age = config_.retention_max_age;
  options.retention_max_bytes = static_cast<uint64_t>(config_.retention_max_mib) << 20;
  options.dedup_window = static_cast<size_t>(config_.dedup_window);
  if (!config_.hmac_key_file.empty()) {
    Result<std::string> key = loadHmacKey(config_.hmac_key_file);
    if (!key) return key.status().withContext("memory: memory.hmac_key_file");
    options.key = std::move(key).value();
  }

  // The indexer exists before the writer so the writer's listeners can always reach it; it
  // starts (opens the index, catches up) once the writer has recovered the log.
  indexer_ = std::make_unique<Indexer>(audit_dir_, fs_, metrics_,
                                       [this] { return writer_->durableSeq(); });
  Indexer* indexer = indexer_.get();
  Result<std::unique_ptr<AuditWriter>> writer = AuditWriter::open(
      std::move(options), fs_, context_.clock, metrics_,
      [indexer](std::vector<IndexRow>&& rows) { indexer->add(std::move(rows)); },
      [indexer](uint64_t first_seq) { indexer->dropBefore(first_seq); });
  if (!writer) {
    indexer_.reset();
    return writer.status().withContext("memory: opening the audit trail in " + audit_dir_.string());
  }
  writer_ = std::move(writer).value();
  if (Status indexing = indexer_->start(); indexing) {
    indexing_ = true;
  } else {
    metrics_.index_errors.inc();
    logger_->error("{}; recording without an index (`orion audit reindex` rebuilds it)",
                   indexing.message());
  }

  for (const std::string& type : recordedTypes()) {
    auto unconfirmed = std::make_shared<Unconfirmed>();
    bus::SubscribeOptions subscribe{type, std::string(kGroup), std::string(kConsumer)};
    subscribe.before_ack = [this, unconfirmed] { return confirm(*unconfirmed); };
    subscribe.background = true;  // the audit is beside the decision path
    auto subscription =
        context_.bus.subscribe(subscribe, [this, unconfirmed](const bus::Delivery& delivery) {
          return handle(delivery, *unconfirmed);
        });
    if (!subscription) {
      Status error = subscription.status().withContext("memory: subscribing to '" + type + "'");
      stop(context_.clock.monotonic());
      return error;
    }
    subscriptions_.push_back(std::move(subscription).value());
  }
  logger_->info("recording {} streams to {} (last seq {}{})", subscriptions_.size(),
                audit_dir_.string(), writer_->recoveredSeq(),
                config_.hmac_key_file.empty() ? "" : ", HMAC");
  return Status::ok();
}

void MemoryService::stop(MonoTime deadline) {
  if (!writer_) return;
  // Memory stops last; what the other modules published before stopping should be on record.
  for (const auto& subscription : subscriptions_) subscription->drain(deadline);
  // Closing the writer makes any handler still waiting for durability give up, so the
  // subscriptions can be stopped without waiting on a disk that does not come back.
  writer_->close(deadline);
  for (const auto& subscription : subscriptions_) subscription->stop();
  subscriptions_.clear();
  indexer_->stop(deadline, context_.clock);
  indexing_ = false;
  indexer_.reset();
  writer_.reset();
}

Status MemoryService::handle(const bus::Delivery& delivery, Unconfirmed& unconfirmed) {
  Result<Submitted> submitted =
      writer_->submit(delivery.type, delivery.entry_id, *delivery.document);
  if (!submitted) {
    // kInvalidArgument would tell the bus the message can never succeed; recording can.
    if (submitted.status().code() == StatusCode::kInvalidArgument) {
      return unavailable(submitted.status().message());
    }
    return submitted.status();
  }
  unconfirmed.seq = std::max(unconfirmed.seq, submitted->seq);
  return Status::ok();
}

Status MemoryService::confirm(Unconfirmed& unconfirmed) {
  if (unconfirmed.seq == 0) return Status::ok();
  uint64_t seq = std::exchange(unconfirmed.seq, 0);
  return writer_->waitDurable(seq);
}

}  // namespace orion::memory
