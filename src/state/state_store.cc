#include "state/state_store.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <system_error>
#include <thread>

#include "common/logging.h"
#include "common/thread_name.h"
#include "state/legacy_sqlite.h"
#include "state/state_log.h"

namespace orion::state {

namespace {

namespace fs = std::filesystem;

// A snapshot is written as records of at most this many payload bytes, flushed in pieces of
// about four times that, so compacting a large state needs little extra memory.
constexpr size_t kSnapshotRecordBytes = 1 << 20;

// What one live entry adds to a snapshot: kind, three lengths, and the bytes.
size_t entryBytes(std::string_view table, std::string_view key, size_t value_bytes) {
  return 1 + 12 + table.size() + key.size() + value_bytes;
}

std::string errnoText(int error) { return std::strerror(error); }

Status ioError(std::string_view what, const fs::path& path, int error) {
  return unavailable(std::string(what) + " " + path.string() + ": " + errnoText(error));
}

Status writeAll(int fd, std::string_view bytes, const fs::path& path) {
  while (!bytes.empty()) {
    ssize_t written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return ioError("writing", path, errno);
    }
    bytes.remove_prefix(static_cast<size_t>(written));
  }
  return Status::ok();
}

Result<std::string> readAll(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ioError("opening", path, errno);
  std::string bytes;
  char buffer[1 << 16];
  while (true) {
    ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      int error = errno;
      ::close(fd);
      return ioError("reading", path, error);
    }
    if (got == 0) break;
    bytes.append(buffer, static_cast<size_t>(got));
  }
  ::close(fd);
  return bytes;
}

// Appends the `length` bytes at `offset` of the file open as `fd` to `out`.
Status readBytes(int fd, const fs::path& path, uint64_t offset, uint32_t length, std::string& out) {
  size_t start = out.size();
  out.resize(start + length);
  size_t got = 0;
  while (got < length) {
    ssize_t n =
        ::pread(fd, out.data() + start + got, length - got, static_cast<off_t>(offset + got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int error = errno;
      out.resize(start);
      return ioError("reading", path, error);
    }
    if (n == 0) {
      out.resize(start);
      return Status(StatusCode::kDataLoss,
                    fmt::format("{} ends at byte {}, before a value the store wrote there "
                                "(was the file changed by something else?)",
                                path.string(), offset + got));
    }
    got += static_cast<size_t>(n);
  }
  return Status::ok();
}

// Makes a rename in `directory` durable.
Status syncDirectory(const fs::path& directory) {
  int fd = ::open(directory.empty() ? "." : directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ioError("opening", directory, errno);
  int rc = ::fsync(fd);
  int error = errno;
  ::close(fd);
  return rc == 0 ? Status::ok() : ioError("syncing", directory, error);
}

Status createParent(const fs::path& file) {
  fs::path parent = file.parent_path();
  if (parent.empty()) return Status::ok();
  std::error_code error;
  if (fs::exists(parent, error)) return Status::ok();
  fs::create_directories(parent, error);
  if (error) return unavailable("creating " + parent.string() + ": " + error.message());
  fs::permissions(parent, fs::perms::owner_all, fs::perm_options::replace, error);
  if (error) return unavailable("setting mode 0700 on " + parent.string() + ": " + error.message());
  return Status::ok();
}

fs::path withSuffix(const fs::path& file, std::string_view suffix) {
  return fs::path(file.string() + std::string(suffix));
}

}  // namespace

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

// The open files: the lock, held for the store's life, and the log appended to.
struct StateStore::Files {
  int lock = -1;
  int log = -1;
  size_t log_bytes = 0;
  // Set when a failed append could not be cut off again: the next write rewrites the log first.
  bool rewrite_needed = false;
  // After a failed compaction, the next attempt waits until the log has grown this far.
  size_t next_compaction_at = 0;

  ~Files() {
    if (log >= 0) ::close(log);
    if (lock >= 0) ::close(lock);
  }
};

// A copy of the live state: the entries and where their values were in the log when it was
// taken, then the new file it was written to. Made under the store's mutex (the entries), written
// without it (on a compaction's own thread: the old log's bytes before `cut` never change).
struct StateStore::Snapshot {
  struct Entry {
    uint32_t table;  // index into `tables`
    std::string key;
    Location at;  // in the old log
  };
  std::vector<std::string> tables;
  std::vector<Entry> entries;  // table by table
  uint64_t cut = 0;            // the old log's length when the snapshot was taken

  // Set by write():
  Status status;
  int fd = -1;         // the new file
  uint64_t bytes = 0;  // its length
  // Where each value went: (offset in the old log, offset in the new file), by old offset.
  std::vector<std::pair<uint64_t, uint64_t>> moved;

  Snapshot() = default;
  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;
  ~Snapshot() {
    if (fd >= 0) ::close(fd);
  }

  // Writes the entries, their values read from `source` (the old log, `source_path`), to `tmp`
  // as records of puts, and syncs it.
  void write(int source, const fs::path& source_path, const fs::path& tmp);
  // Closes and removes the new file.
  void discard(const fs::path& tmp) {
    if (fd >= 0) ::close(fd);
    fd = -1;
    std::error_code ignored;
    fs::remove(tmp, ignored);
  }
};

// A compaction in the background: its snapshot, written by its own thread.
struct StateStore::Compaction {
  std::unique_ptr<Snapshot> snapshot;
  std::atomic<bool> done{false};
  std::thread thread;
};

void StateStore::Snapshot::write(int source, const fs::path& source_path, const fs::path& tmp) {
  fd = ::open(tmp.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) {
    status = ioError("creating", tmp, errno);
    return;
  }
  std::string buffer;  // the new file's bytes not written yet
  log::appendHeader(buffer);
  // The entries [first, next) go into one record; their values are read into `values`.
  size_t first = 0;
  size_t record_bytes = 0;
  std::string values;
  std::vector<size_t> value_start;
  std::vector<std::pair<std::string_view, std::string_view>> views;
  std::vector<size_t> value_at;
  moved.reserve(entries.size());
  auto flushRows = [&](size_t next) {
    if (next == first) return;
    views.clear();
    for (size_t i = first; i < next; ++i) {
      views.emplace_back(entries[i].key, std::string_view(values).substr(value_start[i - first],
                                                                         entries[i].at.length));
    }
    value_at.clear();
    log::appendPutRecord(tables[entries[first].table], views, buffer, &value_at);
    for (size_t i = first; i < next; ++i) {
      moved.emplace_back(entries[i].at.offset, bytes + value_at[i - first]);
    }
    first = next;
    record_bytes = 0;
    values.clear();
    value_start.clear();
  };
  for (size_t i = 0; i < entries.size(); ++i) {
    const Entry& entry = entries[i];
    if (entry.table != entries[first].table) flushRows(i);
    value_start.push_back(values.size());
    status = readBytes(source, source_path, entry.at.offset, entry.at.length, values);
    if (!status) return;
    record_bytes += entryBytes(tables[entry.table], entry.key, entry.at.length);
    if (record_bytes < kSnapshotRecordBytes) continue;
    flushRows(i + 1);
    if (buffer.size() < 4 * kSnapshotRecordBytes) continue;
    if (status = writeAll(fd, buffer, tmp); !status) return;
    bytes += buffer.size();
    buffer.clear();
  }
  flushRows(entries.size());
  if (status = writeAll(fd, buffer, tmp); !status) return;
  bytes += buffer.size();
  if (::fdatasync(fd) != 0) {
    status = ioError("syncing", tmp, errno);
    return;
  }
  std::sort(moved.begin(), moved.end());
  entries = {};  // the keys are not needed any more
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
  auto found = tables_.find(table);
  switch (kind) {
    case Write::Kind::kPut: {
      if (found == tables_.end()) found = tables_.emplace(std::string(table), Table()).first;
      auto [row, inserted] = found->second.try_emplace(std::string(key));
      if (!inserted) live_bytes_ -= entryBytes(table, key, row->second.length);
      live_bytes_ += entryBytes(table, key, value.length);
      row->second = value;
      return;
    }
    case Write::Kind::kErase: {
      if (found == tables_.end()) return;
      auto row = found->second.find(key);
      if (row == found->second.end()) return;
      live_bytes_ -= entryBytes(table, key, row->second.length);
      found->second.erase(row);
      if (found->second.empty()) tables_.erase(found);
      return;
    }
    case Write::Kind::kClear: {
      if (found == tables_.end()) return;
      for (const auto& [row_key, row_value] : found->second) {
        live_bytes_ -= entryBytes(table, row_key, row_value.length);
      }
      tables_.erase(found);
      return;
    }
  }
}

std::unique_ptr<StateStore::Snapshot> StateStore::snapshotLocked() const {
  auto snapshot = std::make_unique<Snapshot>();
  snapshot->cut = files_->log_bytes;
  size_t count = 0;
  for (const auto& [table, entries] : tables_) count += entries.size();
  snapshot->entries.reserve(count);
  for (const auto& [table, entries] : tables_) {
    auto index = static_cast<uint32_t>(snapshot->tables.size());
    snapshot->tables.push_back(table);
    for (const auto& [key, at] : entries) snapshot->entries.push_back({index, key, at});
  }
  return snapshot;
}

Status StateStore::compactLocked(std::span<const Write> also) {
  abandonCompactionLocked();
  fs::path tmp = withSuffix(file_, ".tmp");
  std::unique_ptr<Snapshot> snapshot = snapshotLocked();
  snapshot->write(files_->log, file_, tmp);
  Status status = snapshot->status;
  if (status) status = installLocked(*snapshot, also);
  if (!status) snapshot->discard(tmp);
  return status;
}

void StateStore::startCompactionLocked() {
  auto compaction = std::make_unique<Compaction>();
  compaction->snapshot = snapshotLocked();
  Compaction* running = compaction.get();
  try {
    compaction->thread =
        std::thread([running, source = files_->log, path = file_, tmp = withSuffix(file_, ".tmp")] {
          nameThisThread("state-compact");
          running->snapshot->write(source, path, tmp);
          running->done.store(true, std::memory_order_release);
        });
  } catch (const std::system_error& e) {
    // No thread to be had: compact here, as a store without background compaction does.
    makeLogger("state")->warn("{}: compacting in the foreground, no thread: {}", file_.string(),
                              e.what());
    if (Status compacted = compactLocked(); !compacted) {
      files_->next_compaction_at = files_->log_bytes + options_.compact_after_bytes;
    }
    return;
  }
  compaction_ = std::move(compaction);
}

Status StateStore::finishCompactionLocked(bool wait) {
  if (!compaction_) return Status::ok();
  if (!wait && !compaction_->done.load(std::memory_order_acquire)) return Status::ok();
  compaction_->thread.join();
  std::unique_ptr<Compaction> compaction = std::move(compaction_);
  Snapshot& snapshot = *compaction->snapshot;
  Status status = snapshot.status;
  if (status) status = installLocked(snapshot, {});
  if (!status) {
    snapshot.discard(withSuffix(file_, ".tmp"));
    // Every write is in the old log already: a failed compaction only leaves it longer.
    files_->next_compaction_at = files_->log_bytes + options_.compact_after_bytes;
    makeLogger("state")->warn("{}: compacting the log failed, will retry later: {}", file_.string(),
                              status.message());
  }
  return status;
}

void StateStore::abandonCompactionLocked() {
  if (!compaction_) return;
  compaction_->thread.join();
  compaction_->snapshot->discard(withSuffix(file_, ".tmp"));
  compaction_.reset();
}

Status StateStore::installLocked(Snapshot& snapshot, std::span<const Write> also) {
  fs::path tmp = withSuffix(file_, ".tmp");
  // The records appended since the snapshot was taken follow it as they are: a record holds no
  // offsets, and they are whole records (the log's length only ever moves between records).
  const uint64_t tail_at = snapshot.bytes;
  std::string buffer;
  for (uint64_t at = snapshot.cut; at < files_->log_bytes;) {
    auto piece =
        static_cast<uint32_t>(std::min<uint64_t>(files_->log_bytes - at, 4 * kSnapshotRecordBytes));
    buffer.clear();
    ORION_RETURN_IF_ERROR(readBytes(files_->log, file_, at, piece, buffer));
    ORION_RETURN_IF_ERROR(writeAll(snapshot.fd, buffer, tmp));
    at += piece;
  }
  uint64_t total = tail_at + (files_->log_bytes - snapshot.cut);
  const uint64_t also_at = total;  // where the record of `also` starts
  std::vector<size_t> value_at;
  buffer.clear();
  if (!also.empty()) {
    log::appendRecord(also, buffer, &value_at);
    ORION_RETURN_IF_ERROR(writeAll(snapshot.fd, buffer, tmp));
    total += buffer.size();
  }
  if (::fdatasync(snapshot.fd) != 0) return ioError("syncing", tmp, errno);
  if (::rename(tmp.c_str(), file_.c_str()) != 0) return ioError("renaming", tmp, errno);
  // Every live value is in the new file now: copied by the snapshot, or in the records after it.
  for (auto& [table, entries] : tables_) {
    for (auto& [key, at] : entries) {
      if (at.offset >= snapshot.cut) {
        at.offset = at.offset - snapshot.cut + tail_at;
        continue;
      }
      auto to = std::lower_bound(snapshot.moved.begin(), snapshot.moved.end(),
                                 std::pair<uint64_t, uint64_t>(at.offset, 0));
      if (to != snapshot.moved.end() && to->first == at.offset) at.offset = to->second;
    }
  }
  applyAppended(also, also_at, value_at);
  if (files_->log >= 0) ::close(files_->log);
  files_->log = snapshot.fd;
  snapshot.fd = -1;
  files_->log_bytes = total;
  files_->rewrite_needed = false;
  return syncDirectory(file_.parent_path());
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

bool StateStore::compacting() const {
  std::lock_guard lock(mutex_);
  return compaction_ != nullptr;
}

Status StateStore::finishCompaction() {
  std::lock_guard lock(mutex_);
  return finishCompactionLocked(/*wait=*/true);
}

}  // namespace orion::state
