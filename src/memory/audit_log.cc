#include "memory/audit_log.h"

#include <algorithm>

#include "memory/audit_record.h"

namespace orion::memory {

AuditLog::AuditLog(std::unique_ptr<AuditFile> file, AuditLogOptions options)
    : file_(std::move(file)), options_(options) {}

Result<std::unique_ptr<AuditLog>> AuditLog::open(std::unique_ptr<AuditFile> file,
                                                 AuditLogOptions options) {
  std::unique_ptr<AuditLog> log(new AuditLog(std::move(file), options));
  ORION_RETURN_IF_ERROR(log->recover());
  return log;
}

Status AuditLog::recover() {
  const std::string name = file_->path().string();
  uint64_t size = file_->size();
  uint64_t start = size > options_.tail_bytes ? size - options_.tail_bytes : 0;
  Result<std::string> tail = file_->readAt(start, static_cast<size_t>(size - start));
  if (!tail) return tail.status();
  std::string_view text = *tail;

  if (!text.empty() && text.back() != '\n') {
    size_t last_newline = text.rfind('\n');
    if (last_newline == std::string_view::npos && start > 0) {
      return Status(StatusCode::kDataLoss, name + ": the final line is longer than " +
                                               std::to_string(options_.tail_bytes) +
                                               " bytes and unfinished");
    }
    uint64_t keep = last_newline == std::string_view::npos ? start : start + last_newline + 1;
    ORION_RETURN_IF_ERROR(file_->truncate(keep));
    recovery_.torn_bytes_removed = size - keep;
    text = text.substr(0, keep - start);
  }
  // The tail may begin in the middle of a line.
  if (start > 0) {
    size_t first_newline = text.find('\n');
    text = first_newline == std::string_view::npos ? std::string_view{}
                                                   : text.substr(first_newline + 1);
  }

  uint64_t offset = file_->size() - text.size();
  bool last_ok = true;
  uint64_t last_offset = 0;
  std::string last_error;
  while (!text.empty()) {
    size_t end = std::min(text.find('\n'), text.size());
    std::string_view line = text.substr(0, end);
    Result<AuditRecord> record = parseRecord(line);
    last_offset = offset;
    if (record) {
      last_ok = true;
      last_seq_ = record->seq;
      remember(recordKey(record->type, record->entry_id, record->document));
    } else {
      last_ok = false;
      last_error = record.status().message();
      ++recovery_.unreadable_lines;
    }
    offset += end + 1;
    text = end + 1 >= text.size() ? std::string_view{} : text.substr(end + 1);
  }
  if (!last_ok) {
    return Status(StatusCode::kDataLoss, name + ": the last record (at byte " +
                                             std::to_string(last_offset) +
                                             ") is not readable: " + last_error);
  }
  recovery_.last_seq = last_seq_;
  return Status::ok();
}

bool AuditLog::seen(std::string_view key) const { return window_.count(key) != 0; }

void AuditLog::remember(std::string key) {
  if (options_.id_window == 0) return;
  if (seen(key)) return;
  if (window_order_.size() >= options_.id_window) {
    window_.erase(window_order_.front());
    window_order_.pop_front();
  }
  window_order_.push_back(std::move(key));
  window_.insert(window_order_.back());
}

Result<Appended> AuditLog::append(std::string_view type, std::string_view entry_id,
                                  const Json& document, WallTime recorded_at) {
  // The costly parts (key and serialisation) happen before taking the lock.
  std::string key = recordKey(type, entry_id, document);
  std::string document_json = dumpJson(document);
  std::lock_guard lock(mutex_);
  if (seen(key)) return Appended{true, last_seq_};
  std::string line = formatRecord(last_seq_ + 1, recorded_at, type, entry_id, document_json);
  ORION_RETURN_IF_ERROR(file_->append(line));
  ++last_seq_;
  unsynced_ = true;
  remember(std::move(key));
  return Appended{false, last_seq_};
}

Status AuditLog::sync() {
  {
    std::lock_guard lock(mutex_);
    if (!unsynced_) return Status::ok();
    unsynced_ = false;
  }
  Status status = file_->sync();
  if (!status.isOk()) {
    std::lock_guard lock(mutex_);
    unsynced_ = true;
  }
  return status;
}

uint64_t AuditLog::lastSeq() const {
  std::lock_guard lock(mutex_);
  return last_seq_;
}

}  // namespace orion::memory
