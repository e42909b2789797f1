#include "memory/audit_writer.h"

#include <algorithm>

#include "common/ids.h"
#include "common/thread_name.h"
#include "common/thread_priority.h"
#include "common/time.h"
#include "memory/audit_record.h"
#include "memory/segments.h"

namespace orion::memory {
namespace {

// Bytes a record adds to its `rest`: seq, prev, recorded_at, the keys and the hash.
constexpr uint64_t kEnvelopeBytes = 220;
// At most this many records per write(2): bounds the buffer, not the batching.
constexpr size_t kMaxBatch = 65536;
constexpr auto kRetentionEvery = std::chrono::hours(1);
constexpr auto kIdleWake = std::chrono::seconds(30);

}  // namespace

AuditWriter::AuditWriter(WriterOptions options, std::shared_ptr<AuditFs> fs, const Clock& clock,
                         MemoryMetrics& metrics)
    : options_(std::move(options)),
      fs_(std::move(fs)),
      clock_(clock),
      metrics_(metrics),
      log_(makeLogger("memory")),
      keyed_(options_.key),
      plain_(std::nullopt),
      window_(options_.dedup_window) {}

AuditWriter::~AuditWriter() { close(clock_.monotonic()); }

Result<std::unique_ptr<AuditWriter>> AuditWriter::open(WriterOptions options,
                                                       std::shared_ptr<AuditFs> fs,
                                                       const Clock& clock, MemoryMetrics& metrics,
                                                       DurableListener on_durable,
                                                       RetentionListener on_retention) {
  std::unique_ptr<AuditWriter> writer(
      new AuditWriter(std::move(options), std::move(fs), clock, metrics));
  writer->on_durable_ = std::move(on_durable);
  writer->on_retention_ = std::move(on_retention);
  const std::filesystem::path& dir = writer->options_.dir;
  ORION_RETURN_IF_ERROR(writer->fs_->makeDirectories(dir));
  Result<std::unique_ptr<FileLock>> lock = writer->fs_->lock(dir / kLockFile);
  if (!lock) return lock.status();
  writer->lock_ = std::move(lock).value();
  RecoveryOptions recovery{dir, writer->options_.dedup_window, formatRfc3339(clock.now())};
  Result<RecoveredTrail> recovered =
      recoverTrail(*writer->fs_, recovery, writer->keyed_, writer->plain_);
  if (!recovered) return recovered.status();
  if (recovered->keyed_tail && !writer->keyed_.keyed()) {
    return failedPrecondition(dir.string() +
                              ": the trail is protected by an HMAC key; configure "
                              "memory.hmac_key_file to append to it");
  }
  ORION_RETURN_IF_ERROR(writer->start(std::move(recovered).value()));
  return writer;
}

Status AuditWriter::start(RecoveredTrail recovered) {
  for (const SegmentState& s : recovered.segments)
    segments_.push_back({s.name, s.first_seq, s.bytes});
  active_ = std::move(recovered.active);
  active_day_ = recovered.active_day;
  tip_seq_ = recovered.tip_seq;
  tip_hash_ = recovered.tip_hash;
  next_seq_ = recovered.tip_seq;
  last_micros_ = recovered.tip_micros;
  recovered_seq_ = recovered.tip_seq;
  torn_bytes_ = recovered.torn_bytes;
  durable_seq_.store(recovered.tip_seq, std::memory_order_release);
  for (auto& [key, seq] : recovered.recent) window_.add(std::move(key), seq);
  head_ = {tip_seq_, tip_hash_, segments_.empty() ? "" : segments_.back().name,
           formatRfc3339(clock_.now()), keyed_.keyed()};
  if (tip_seq_ == 0) {
    // A new trail gets its head (seq 0) before its first record, so a crash between the first
    // batch and the first head update never looks like a deleted head.
    ORION_RETURN_IF_ERROR(writeHead(*fs_, options_.dir, head_, keyed_, /*durable=*/true));
  }
  metrics_.head_seq.set(static_cast<double>(tip_seq_));
  updateSizeMetrics();

  for (auto& [type, document] : recovered.notices) {
    if (type == record_type::kRepair) {
      metrics_.repairs.inc();
      log_->warn("{}: repaired the audit trail at start: {}", options_.dir.string(),
                 document.value("reason", ""));
    } else {
      metrics_.integrity.inc();
      log_->error("{}: the audit trail lost records: {}", options_.dir.string(),
                  document.value("detail", ""));
    }
    Result<Submitted> queued = enqueue(type, "", options_.node, document);
    if (!queued) return queued.status();
  }
  next_retention_check_ = clock_.now();
  retention_requested_ = true;  // once at start, without waiting for it
  thread_ = std::thread([this] {
    nameThisThread("audit-writer");
    lowerThisThreadPriority().ignore();  // beside the decision path; best effort
    run();
  });
  return Status::ok();
}

Result<Submitted> AuditWriter::submit(std::string_view type, std::string_view entry_id,
                                      const Json& document) {
  return enqueue(type, entry_id, nodeOf(document, options_.node), document);
}

Result<Submitted> AuditWriter::enqueue(std::string_view type, std::string_view entry_id,
                                       std::string node, const Json& document) {
  // Everything costly happens before taking the lock, on the caller's thread: the index fields
  // (among them the document's own id), the canonical bytes of the record after its time and the
  // duplicate key. The writer thread is left the part that needs the chain (seq, prev, time and
  // the hash over the whole body).
  Pending record;
  record.fields = indexFieldsOf(type, document, node);
  const std::string& id = record.fields.id;
  RecordRest rest = buildRecordRest(node, type, id, entry_id, document);
  RecordKey key = recordKey(type, id, entry_id, rest.document());
  window_.prefetch(key);  // its slot's cache line loads while the lock is taken
  record.type = std::string(type);
  record.rest_size = static_cast<uint32_t>(rest.text.size());
  int64_t now = toMicros(clock_.now());

  std::lock_guard lock(mutex_);
  if (std::optional<uint64_t> seq = window_.find(key)) {
    metrics_.duplicates.inc();
    return Submitted{*seq, true};
  }
  if (closing_) return unavailable("memory is stopping; the audit trail takes no new records");
  if (pending_bytes_ + record.rest_size > options_.max_pending_bytes && !pending_.empty()) {
    return Status(StatusCode::kResourceExhausted,
                  "the audit trail has " + std::to_string(pending_.size()) +
                      " records waiting to be written (" + last_error_ + ")");
  }
  record.seq = ++next_seq_;
  // recorded_at never goes back, even when the wall clock does.
  last_micros_ = std::max(last_micros_, now);
  record.micros = last_micros_;
  pending_bytes_ += record.rest_size;
  pending_rest_ += rest.text;
  window_.add(key, record.seq);
  pending_.push_back(std::move(record));
  metrics_.pending.set(static_cast<double>(pending_.size()));
  // Only a first record or a full batch ends a wait of the writer's: no wake-up per record.
  if (pending_.size() == 1 || pending_.size() == options_.sync_batch_records) work_cv_.notify_one();
  return Submitted{next_seq_, false};
}

Status AuditWriter::waitDurable(uint64_t seq) {
  if (durableSeq() >= seq) return Status::ok();
  std::unique_lock lock(mutex_);
  durable_cv_.wait(lock, [&] { return durableSeq() >= seq || cancelled_; });
  if (durableSeq() >= seq) return Status::ok();
  return Status(StatusCode::kCancelled, "memory stopped before audit record " +
                                            std::to_string(seq) + " was durable" +
                                            (last_error_.empty() ? "" : ": " + last_error_));
}

Status AuditWriter::enforceRetention() {
  std::unique_lock lock(mutex_);
  if (!thread_.joinable() || cancelled_) return failedPrecondition("the writer is closed");
  retention_requested_ = true;
  uint64_t target = retention_runs_ + 1;
  work_cv_.notify_one();
  durable_cv_.wait(lock, [&] { return retention_runs_ >= target || cancelled_; });
  return retention_runs_ >= target ? retention_status_ : Status(StatusCode::kCancelled, "closed");
}

Head AuditWriter::head() const {
  std::lock_guard lock(mutex_);
  return head_;
}

void AuditWriter::close(MonoTime deadline) {
  {
    std::lock_guard lock(mutex_);
    if (!thread_.joinable()) return;
    closing_ = true;
  }
  work_cv_.notify_all();
  {
    // Give the writer until the deadline to drain; the deadline is on the injected clock, the
    // wait in real time for what is left of it.
    std::unique_lock lock(mutex_);
    Duration left = std::max(Duration(0), deadline - clock_.monotonic());
    durable_cv_.wait_for(lock, left, [&] { return pending_.empty() && !writing_; });
    give_up_ = true;
  }
  work_cv_.notify_all();
  thread_.join();
  {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
    if (!pending_.empty()) {
      log_->error(
          "memory stopped with {} audit records not written ({}); their messages were not "
          "acknowledged",
          pending_.size(), last_error_);
    }
  }
  durable_cv_.notify_all();
  if (Status head = writeHeadFile(/*durable=*/true); !head) {
    log_->warn("writing {} at stop: {}", (options_.dir / kHeadFile).string(), head.message());
  }
  lock_.reset();
}

void AuditWriter::run() {
  std::unique_lock lock(mutex_);
  bool idle = true;
  bool tried_since_closing = false;
  while (true) {
    work_cv_.wait_for(lock, kIdleWake, [&] {
      return !pending_.empty() || closing_ || give_up_ || retention_requested_;
    });
    // However short close()'s deadline, what is queued gets one attempt after closing began.
    bool last_chance = give_up_ && !tried_since_closing && !pending_.empty();
    if (give_up_ && !last_chance) break;
    if (!give_up_ && (retention_requested_ || clock_.now() >= next_retention_check_)) {
      retention_requested_ = false;
      next_retention_check_ = clock_.now() + kRetentionEvery;
      lock.unlock();
      Status status = applyRetention();
      if (!status) log_->error("applying audit retention: {}", status.message());
      lock.lock();
      retention_status_ = status;
      ++retention_runs_;
      durable_cv_.notify_all();
    }
    if (pending_.empty()) {
      if (closing_) break;
      idle = true;
      continue;
    }
    // Group commit: an idle writer lets a batch gather for sync_interval; a busy one starts a
    // write at most once per sync_interval (at a steady rate each sync let a few records in, and
    // it wrote back to back). A full batch, or a close, goes at once.
    if (options_.sync_interval > Duration(0) && !closing_ &&
        pending_.size() < options_.sync_batch_records) {
      Duration wait = idle ? options_.sync_interval
                           : last_write_start_ + options_.sync_interval - clock_.monotonic();
      work_cv_.wait_for(lock, std::max(wait, Duration(0)),
                        [&] { return pending_.size() >= options_.sync_batch_records || closing_; });
    }
    // After a failure, back off; a close asks for one more attempt straight away.
    if (retry_delay_ > Duration(0) && !last_chance) {
      work_cv_.wait_for(lock, retry_delay_,
                        [&] { return give_up_ || (closing_ && !tried_since_closing); });
      if (give_up_ && tried_since_closing) break;
    }
    if (closing_) tried_since_closing = true;

    takeBatch();
    writing_ = true;
    last_write_start_ = clock_.monotonic();
    lock.unlock();

    Status error;
    size_t done = writeBatch(error);
    size_t taken = batch_.records.size();
    uint64_t written_bytes = 0;
    for (size_t i = 0; i < done; ++i) written_bytes += batch_.records[i].rest_size;

    lock.lock();
    writing_ = false;
    pending_bytes_ -= written_bytes;
    if (done < taken) requeue(done);
    metrics_.pending.set(static_cast<double>(pending_.size()));
    lock.unlock();
    // The written records are freed outside the lock; the buffers keep their capacity.
    batch_.records.clear();
    batch_.rests.clear();
    lock.lock();
    if (done < taken) {
      // On a nearly full disk a smaller batch may fit where a large one does not.
      batch_limit_ = std::max<size_t>(1, (taken - done) / 2);
      retry_delay_ = retry_delay_ == Duration(0)
                         ? options_.retry_initial
                         : std::min<Duration>(retry_delay_ * 2, options_.retry_max);
      lock.unlock();
      noteFailure(error);
      lock.lock();
    } else if (retry_delay_ > Duration(0)) {
      retry_delay_ = Duration(0);
      batch_limit_ = kMaxBatch;
      lock.unlock();
      noteRecovered();
      lock.lock();
    }
    idle = pending_.empty();
    durable_cv_.notify_all();  // also wakes close() waiting for the queue to empty
  }
}

void AuditWriter::takeBatch() {
  size_t take = std::min(pending_.size(), batch_limit_);
  batch_.records.reserve(take);
  uint64_t bytes = 0;
  for (size_t i = 0; i < take; ++i) {
    bytes += pending_.front().rest_size;
    batch_.records.push_back(std::move(pending_.front()));
    pending_.pop_front();
  }
  if (pending_.empty()) {
    batch_.rests.swap(pending_rest_);  // the usual case: the whole queue, without a copy
  } else {
    batch_.rests.assign(pending_rest_, 0, bytes);
    pending_rest_.erase(0, bytes);
  }
}

void AuditWriter::requeue(size_t first) {
  uint64_t offset = 0;
  for (size_t i = 0; i < first; ++i) offset += batch_.records[i].rest_size;
  pending_rest_.insert(0, batch_.rests, offset, std::string::npos);
  for (size_t i = batch_.records.size(); i > first; --i) {
    pending_.push_front(std::move(batch_.records[i - 1]));
  }
}

bool AuditWriter::rotationDue(const Pending& record, uint64_t bytes_so_far) const {
  if (!active_) return true;
  if (bytes_so_far == 0) return false;  // an empty segment takes the record, whatever its size
  if (bytes_so_far + record.rest_size + kEnvelopeBytes > options_.segment_max_bytes) return true;
  return options_.rotate_daily && active_day_ >= 0 && utcDayOf(record.micros) != active_day_;
}

Status AuditWriter::rotate(uint64_t first_seq) {
  std::string name = segmentName(first_seq);
  Result<std::unique_ptr<AuditFile>> file = fs_->openAppend(options_.dir / name);
  if (!file) return file.status();
  // The new file's name must be durable before any record in it is acknowledged.
  ORION_RETURN_IF_ERROR(fs_->syncDirectory(options_.dir));
  bool replaces_empty = !segments_.empty() && segments_.back().name == name;
  active_ = std::move(file).value();
  if (!replaces_empty) segments_.push_back({name, first_seq, active_->size()});
  active_day_ = -1;
  metrics_.rotations.inc();
  if (segments_.size() > 1) {
    std::lock_guard lock(mutex_);
    retention_requested_ = true;
  }
  return Status::ok();
}

size_t AuditWriter::writeBatch(Status& error) {
  std::vector<Pending>& batch = batch_.records;
  std::string& buffer = write_buffer_;
  size_t done = 0;
  size_t rest_at = 0;  // where batch[done]'s rest starts in batch_.rests
  bool may_rotate = true;
  std::string prev;
  std::vector<IndexRow> chunk;
  while (done < batch.size()) {
    if (may_rotate && rotationDue(batch[done], active_ ? active_->size() : 0)) {
      Status rotated = rotate(batch[done].seq);
      if (!rotated) {
        if (!active_) {
          error = rotated.withContext("starting a segment");
          return done;
        }
        // Keep appending to the current segment; rotation is retried with the next batch.
        if (!rotation_failed_) {
          log_->warn("starting a new audit segment failed, continuing in {} until it works: {}",
                     segments_.back().name, rotated.message());
        }
      } else if (rotation_failed_) {
        log_->info("started audit segment {} after earlier failures", segments_.back().name);
      }
      rotation_failed_ = !rotated.isOk();
      may_rotate = rotated.isOk();
    }
    // A previous failure may have left bytes the file layer could not remove.
    uint64_t base = segments_.back().bytes;
    if (active_->size() != base) {
      if (Status cut = active_->truncate(base); !cut) {
        error = cut.withContext("removing a partly written batch");
        return done;
      }
    }
    buffer.clear();
    chunk.clear();
    chunk.reserve(batch.size() - done);
    prev = tip_hash_;
    size_t end = done;
    size_t rest_end = rest_at;
    while (end < batch.size() &&
           (end == done || !may_rotate || !rotationDue(batch[end], base + buffer.size()))) {
      Pending& p = batch[end];
      size_t line_start = buffer.size();
      appendRecordBody(buffer, p.seq, prev, p.micros,
                       std::string_view(batch_.rests).substr(rest_end, p.rest_size));
      rest_end += p.rest_size;
      Digest digest = keyed_.hash(std::string_view(buffer).substr(line_start));
      appendRecordEnd(buffer, digest, keyed_.keyed());
      prev.clear();
      appendHex(prev, digest);
      chunk.push_back({p.seq, p.micros, std::move(p.type), base + line_start,
                       static_cast<uint32_t>(buffer.size() - line_start - 1), digest,
                       std::move(p.fields)});
      ++end;
    }
    MonoTime started = clock_.monotonic();
    Status status = active_->append(buffer);
    if (status) status = active_->sync();
    if (!status) {
      // Nothing of this chunk counts; the records go back to the queue with their fields.
      for (size_t i = 0; i < chunk.size(); ++i) {
        batch[done + i].type = std::move(chunk[i].type);
        batch[done + i].fields = std::move(chunk[i].fields);
      }
      error = status;
      return done;
    }
    metrics_.sync_seconds.observe(
        std::chrono::duration<double>(clock_.monotonic() - started).count());
    segments_.back().bytes = active_->size();
    if (active_day_ < 0) active_day_ = utcDayOf(batch[done].micros);
    tip_hash_ = prev;
    tip_seq_ = batch[end - 1].seq;
    {
      std::lock_guard lock(mutex_);
      durable_seq_.store(tip_seq_, std::memory_order_release);
      head_ = {tip_seq_, tip_hash_, segments_.back().name, formatRfc3339(clock_.now()),
               keyed_.keyed()};
    }
    durable_cv_.notify_all();
    metrics_.batches.inc();
    metrics_.batch_records.observe(static_cast<double>(end - done));
    metrics_.appended.inc(end - done);
    done = end;
    rest_at = rest_end;
    afterDurable(std::move(chunk));
    chunk = {};
  }
  if (Status head = writeHeadFile(false); !head) {
    log_->warn("writing {}: {}", (options_.dir / kHeadFile).string(), head.message());
  }
  updateSizeMetrics();
  return done;
}

void AuditWriter::afterDurable(std::vector<IndexRow>&& records) {
  for (const IndexRow& record : records) {
    auto it = type_counters_.find(record.type);
    if (it == type_counters_.end()) {
      it = type_counters_.emplace(record.type, &metrics_.recordsOf(record.type)).first;
    }
    it->second->inc();
  }
  metrics_.head_seq.set(static_cast<double>(tip_seq_));
  // 12 hex digits = 48 bits: exact in a double, enough to witness the head from outside.
  metrics_.head_hash_prefix.set(
      static_cast<double>(std::stoull(tip_hash_.substr(0, 12), nullptr, 16)));
  if (on_durable_) on_durable_(std::move(records));
}

Status AuditWriter::writeHeadFile(bool durable) {
  Head head = this->head();
  if (head.seq == 0) return Status::ok();
  MonoTime now = clock_.monotonic();
  // The first head of a run, and one a second after, are synced; the others need only survive a
  // process crash, which the page cache ensures.
  if (last_head_sync_ == MonoTime{} || now - last_head_sync_ >= options_.head_sync_interval) {
    durable = true;
  }
  Status status = writeHead(*fs_, options_.dir, head, keyed_, durable);
  if (status && durable) last_head_sync_ = now;
  return status;
}

void AuditWriter::noteFailure(const Status& status) {
  metrics_.write_errors.inc();
  metrics_.degraded.set(1);
  degraded_.store(true, std::memory_order_release);
  std::string message = status.message();
  std::lock_guard lock(mutex_);
  if (message == last_error_) return;
  last_error_ = message;
  log_->error(
      "the audit trail cannot be written ({} records waiting, kept in memory and "
      "retried; their messages stay unacknowledged); ORION is degraded: {}",
      pending_.size(), message);
}

void AuditWriter::noteRecovered() {
  metrics_.degraded.set(0);
  degraded_.store(false, std::memory_order_release);
  std::lock_guard lock(mutex_);
  log_->info("writing the audit trail works again ({} records waiting)", pending_.size());
  last_error_.clear();
}

void AuditWriter::updateSizeMetrics() {
  uint64_t bytes = 0;
  for (const Segment& s : segments_) bytes += s.bytes;
  metrics_.segments.set(static_cast<double>(segments_.size()));
  metrics_.trail_bytes.set(static_cast<double>(bytes));
}

Status AuditWriter::applyRetention() {
  if (options_.retention_max_age <= Duration(0) && options_.retention_max_bytes == 0) {
    return Status::ok();
  }
  if (segments_.size() < 2) return Status::ok();  // the active segment is never deleted
  WallTime now = clock_.now();
  int64_t cutoff = toMicros(now - options_.retention_max_age);
  uint64_t total = 0;
  for (const Segment& s : segments_) total += s.bytes;
  size_t count = 0;
  std::string reason;
  while (count + 1 < segments_.size()) {
    const Segment& s = segments_[count];
    bool by_size = options_.retention_max_bytes > 0 && total > options_.retention_max_bytes;
    bool by_age = false;
    if (!by_size && options_.retention_max_age > Duration(0)) {
      Result<std::unique_ptr<AuditFile>> file = fs_->openRead(options_.dir / s.name);
      if (!file) return file.status();
      Result<std::optional<LastLine>> last = readLastLine(**file, (*file)->size());
      if (!last) return last.status();
      if (last->has_value()) {
        Result<RecordView> view = viewRecord((*last)->text);
        Result<WallTime> at =
            view ? parseRfc3339(view->recorded_at) : Result<WallTime>(view.status());
        by_age = at && toMicros(*at) < cutoff;
      }
    }
    if (!by_size && !by_age) break;
    if (reason.empty()) {
      uint64_t limit = options_.retention_max_bytes;
      std::string size = limit % (uint64_t{1} << 20) == 0 ? std::to_string(limit >> 20) + " MiB"
                                                          : std::to_string(limit) + " bytes";
      reason = by_size ? "the trail is above " + size
                       : "older than " + formatDuration(options_.retention_max_age);
    }
    total -= s.bytes;
    ++count;
  }
  // The first kept segment must hold a record: its first record anchors the checkpoint.
  std::optional<RecordView> first;
  std::string first_line;
  while (count > 0) {
    Result<std::unique_ptr<AuditFile>> file = fs_->openRead(options_.dir / segments_[count].name);
    if (!file) return file.status();
    LineScanner lines(**file, 0, (*file)->size());
    Result<std::optional<std::string_view>> line = lines.next();
    if (!line) return line.status();
    if (line->has_value()) {
      first_line = std::string(**line);
      Result<RecordView> view = viewRecord(first_line);
      if (!view) return view.status().withContext(segments_[count].name);
      first = *view;
      break;
    }
    --count;
  }
  if (count == 0) return Status::ok();

  Checkpoint checkpoint;
  checkpoint.first_seq = first->seq;
  checkpoint.prev = std::string(first->prev);
  checkpoint.first_hash = std::string(first->hash);
  checkpoint.deleted_records = first->seq - segments_.front().first_seq;
  for (size_t i = 0; i < count; ++i) checkpoint.deleted_segments.push_back(segments_[i].name);
  checkpoint.at = formatRfc3339(now);
  checkpoint.reason = reason;
  // The checkpoint is durable before anything is deleted, so verification never loses its anchor.
  ORION_RETURN_IF_ERROR(appendCheckpoint(*fs_, options_.dir, checkpoint, keyed_));
  for (size_t i = 0; i < count; ++i) {
    ORION_RETURN_IF_ERROR(fs_->remove(options_.dir / segments_[i].name));
  }
  ORION_RETURN_IF_ERROR(fs_->syncDirectory(options_.dir));
  segments_.erase(segments_.begin(), segments_.begin() + static_cast<ptrdiff_t>(count));
  metrics_.retention_deleted.inc(count);
  updateSizeMetrics();
  log_->info("audit retention deleted {} segment(s), {} records before seq {} ({})", count,
             checkpoint.deleted_records, checkpoint.first_seq, reason);
  if (on_retention_) on_retention_(checkpoint.first_seq);
  Json document = {{"version", "1.0"},
                   {"retention_id", newUuid()},
                   {"timestamp", checkpoint.at},
                   {"first_seq", checkpoint.first_seq},
                   {"prev", checkpoint.prev},
                   {"deleted_records", checkpoint.deleted_records},
                   {"deleted_segments", checkpoint.deleted_segments},
                   {"reason", reason}};
  Result<Submitted> queued = enqueue(record_type::kRetention, "", options_.node, document);
  return queued ? Status::ok() : queued.status();
}

}  // namespace orion::memory
