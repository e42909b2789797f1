#include "state/state_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

#include "common/logging.h"
#include "state/legacy_sqlite.h"
#include "state/state_files.h"
#include "state/state_log.h"
#include "state/state_store_parts.h"

namespace orion::state {

namespace fs = std::filesystem;
using files::createParent;
using files::ioError;
using files::readAll;
using files::readBytes;
using files::withSuffix;
using files::writeAll;

void Batch::putText(std::string table, std::string key, std::string json_text) {
  writes_.push_back({Write::Kind::kPut, std::move(table), std::move(key), std::move(json_text)});
}

void Batch::put(std::string table, std::string key, const Json& value) {
  writes_.push_back({Write::Kind::kPut, std::move(table), std::move(key), dumpJson(value)});
}

void Batch::erase(std::string table, std::string key) {
  writes_.push_back({Write::Kind::kErase, std::move(table), std::move(key), {}});
}

void Batch::clear(std::string table) {
  writes_.push_back({Write::Kind::kClear, std::move(table), {}, {}});
}

StateStore::StateStore(fs::path file, StoreOptions options)
    : file_(std::move(file)), options_(options), files_(std::make_unique<Files>()) {}

StateStore::~StateStore() {
  std::lock_guard lock(mutex_);
  // The old log is whole: a compaction not put in place yet is only thrown away.
  abandonCompactionLocked();
}

Result<std::unique_ptr<StateStore>> StateStore::open(const fs::path& file,
                                                     const StoreOptions& options) {
  auto context = [&file](const Status& status) {
    return status.withContext("state store " + file.string());
  };
  if (Status made = createParent(file); !made) return context(made);
  std::unique_ptr<StateStore> store(new StateStore(file, options));
  if (Status loaded = store->load(); !loaded) return context(loaded);
  return store;
}

Status StateStore::load() {
  std::lock_guard lock(mutex_);
  fs::path lock_file = withSuffix(file_, ".lock");
  files_->lock = ::open(lock_file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (files_->lock < 0) return ioError("opening", lock_file, errno);
  if (::flock(files_->lock, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) {
      return unavailable(
          "locked by another process (is another ORION using this state directory?)");
    }
    return ioError("locking", lock_file, errno);
  }
  // A compaction that did not finish left its new file unused.
  std::error_code ignored;
  fs::remove(withSuffix(file_, ".tmp"), ignored);

  std::error_code error;
  if (!fs::exists(file_, error)) {
    if (error) return unavailable("checking " + file_.string() + ": " + error.message());
    fs::path legacy = fs::path(file_).replace_extension(".db");
    bool import = legacy != file_ && fs::exists(legacy, error);
    std::vector<Write> imported;
    if (import) {
      ORION_RETURN_IF_ERROR(importSqliteStore(
          legacy, [&imported](const Write& write) { imported.push_back(write); }));
    }
    // A new log is a snapshot of what there is (nothing, or the import), made like a compaction.
    ORION_RETURN_IF_ERROR(compactLocked(imported));
    if (import) {
      makeLogger("state")->info("{}: imported {} bytes of safety state from {}", file_.string(),
                                live_bytes_, legacy.string());
      for (const char* suffix : {"", "-wal", "-shm"})
        fs::remove(withSuffix(legacy, suffix), ignored);
    }
    return Status::ok();
  }

  auto bytes = readAll(file_);
  if (!bytes) return bytes.status();
  const char* start = bytes->data();
  auto replayed = log::replay(*bytes, [this, start](std::span<const log::WriteView> writes) {
    for (const log::WriteView& write : writes) {
      Location value{static_cast<uint64_t>(write.value.data() - start),
                     static_cast<uint32_t>(write.value.size())};
      applyInMemory(write.kind, write.table, write.key,
                    write.kind == Write::Kind::kPut ? value : Location{});
    }
  });
  if (!replayed) return replayed.status();
  files_->log = ::open(file_.c_str(), O_RDWR | O_APPEND | O_CLOEXEC);
  if (files_->log < 0) return ioError("opening", file_, errno);
  if (!replayed->torn_tail.empty()) {
    // The last append was cut short by a crash (it never returned): drop its remains so the
    // next record follows the last whole one.
    makeLogger("state")->warn("{}: dropping an incomplete last write ({})", file_.string(),
                              replayed->torn_tail);
    if (::ftruncate(files_->log, static_cast<off_t>(replayed->good_bytes)) != 0) {
      return ioError("truncating the incomplete last write of", file_, errno);
    }
  }
  files_->log_bytes = replayed->good_bytes;
  return Status::ok();
}

void StateStore::applyInMemory(Write::Kind kind, std::string_view table, std::string_view key,
                               Location value) {
  applyTo(tables_, kind, table, key, value,
          [this](std::string_view in, std::string_view dropped_key, Location at) {
            live_bytes_ -= entryBytes(in, dropped_key, at.length);
          });
  if (kind == Write::Kind::kPut) live_bytes_ += entryBytes(table, key, value.length);
}

Status StateStore::apply(const Batch& batch) {
  if (batch.empty()) return Status::ok();
  std::lock_guard lock(mutex_);
  return applyLocked(batch.writes());
}

Status StateStore::applyLocked(std::span<const Write> writes) {
  auto context = [this](const Status& status) {
    return status.withContext("state store " + file_.string());
  };
  if (files_->rewrite_needed) {
    if (Status rewritten = compactLocked(); !rewritten) return context(rewritten);
  }
  record_.clear();
  value_at_.clear();
  log::appendRecord(writes, record_, &value_at_);
  Status written = writeAll(files_->log, record_, file_);
  if (written && options_.durability == Durability::kPowerLoss && ::fdatasync(files_->log) != 0) {
    written = ioError("syncing", file_, errno);
  }
  if (!written) {
    // Nothing of a failed write may stay: cut the file back to the last whole record, or, if even
    // that fails, rewrite it before the next from its whole records (what the store knows).
    if (::ftruncate(files_->log, static_cast<off_t>(files_->log_bytes)) != 0) {
      files_->rewrite_needed = true;
    }
    return context(written);
  }
  const uint64_t record_at = files_->log_bytes;
  files_->log_bytes += record_.size();
  if (record_.capacity() > kSnapshotRecordBytes) record_ = std::string();
  applyAppended(writes, record_at, value_at_);
  if (compaction_) {
    // A compaction that finished is put in place now, this write included (a failure is logged).
    finishCompactionLocked(/*wait=*/false).ignore();
  } else if (files_->log_bytes > options_.compact_after_bytes &&
             files_->log_bytes > 3 * live_bytes_ &&
             files_->log_bytes >= files_->next_compaction_at) {
    if (options_.compact_in_background) {
      startCompactionLocked();
      return Status::ok();
    }
    // The write is already durable: a failed compaction only leaves the log longer.
    if (Status compacted = compactLocked(); !compacted) {
      files_->next_compaction_at = files_->log_bytes + options_.compact_after_bytes;
      makeLogger("state")->warn("{}: compacting the log failed, will retry later: {}",
                                file_.string(), compacted.message());
    }
  }
  return Status::ok();
}

Status StateStore::put(std::string_view table, std::string_view key, const Json& value) {
  Batch batch;
  batch.put(std::string(table), std::string(key), value);
  return apply(batch);
}

Status StateStore::erase(std::string_view table, std::string_view key) {
  Batch batch;
  batch.erase(std::string(table), std::string(key));
  return apply(batch);
}

std::string StateStore::where(std::string_view table, std::string_view key) const {
  return "state store " + file_.string() + ": " + std::string(table) + "/" + std::string(key);
}

void StateStore::applyAppended(std::span<const Write> writes, uint64_t base,
                               const std::vector<size_t>& value_at) {
  size_t puts = 0;
  for (const Write& write : writes) {
    Location value;
    if (write.kind == Write::Kind::kPut) {
      value = {base + value_at[puts++], static_cast<uint32_t>(write.value.size())};
    }
    applyInMemory(write.kind, write.table, write.key, value);
  }
}

Status StateStore::readLocked(Location at, std::string& out) const {
  return readBytes(files_->log, file_, at.offset, at.length, out);
}

Result<Json> StateStore::parseLocked(std::string_view table, std::string_view key,
                                     Location at) const {
  std::string text;
  if (Status read = readLocked(at, text); !read) return read.withContext(where(table, key));
  auto parsed = parseJson(text);
  if (!parsed) {
    return Status(StatusCode::kDataLoss, where(table, key) + ": " + parsed.status().message());
  }
  return parsed;
}

Result<std::optional<Json>> StateStore::get(std::string_view table, std::string_view key) const {
  std::lock_guard lock(mutex_);
  auto found = tables_.find(table);
  if (found == tables_.end()) return std::optional<Json>();
  auto row = found->second.find(key);
  if (row == found->second.end()) return std::optional<Json>();
  auto parsed = parseLocked(table, key, row->second);
  if (!parsed) return parsed.status();
  return std::optional<Json>(std::move(parsed).value());
}

Result<std::vector<std::pair<std::string, Json>>> StateStore::scan(std::string_view table) const {
  std::lock_guard lock(mutex_);
  std::vector<std::pair<std::string, Json>> rows;
  auto found = tables_.find(table);
  if (found == tables_.end()) return rows;
  // A table is unordered in memory (each write finds its key in constant time); sorted here.
  std::vector<const Table::value_type*> entries;
  entries.reserve(found->second.size());
  for (const auto& entry : found->second) entries.push_back(&entry);
  std::sort(entries.begin(), entries.end(),
            [](const auto* a, const auto* b) { return a->first < b->first; });
  rows.reserve(entries.size());
  for (const auto* entry : entries) {
    auto parsed = parseLocked(table, entry->first, entry->second);
    if (!parsed) return parsed.status();
    rows.emplace_back(entry->first, std::move(parsed).value());
  }
  return rows;
}

Result<size_t> StateStore::count(std::string_view table) const {
  std::lock_guard lock(mutex_);
  auto found = tables_.find(table);
  return found == tables_.end() ? 0 : found->second.size();
}

size_t StateStore::logBytes() const {
  std::lock_guard lock(mutex_);
  return files_->log_bytes;
}

}  // namespace orion::state
