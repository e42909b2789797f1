// StateStore compaction (state_store.h): a snapshot of the live entries written to a new file,
// on a thread of its own or in the foreground, then put in place with the records written since.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <unordered_map>

#include "common/logging.h"
#include "common/thread_name.h"
#include "common/thread_priority.h"
#include "state/state_files.h"
#include "state/state_log.h"
#include "state/state_store_parts.h"

namespace orion::state {

namespace fs = std::filesystem;
using files::ioError;
using files::readBytes;
using files::syncDirectory;
using files::withSuffix;
using files::writeAll;

namespace {

// Whether the compaction was given up (Compaction::cancel; `cancel` may be null), and what it
// then ends with.
bool givenUp(const std::atomic<bool>* cancel) {
  return cancel != nullptr && cancel->load(std::memory_order_relaxed);
}
Status givenUpStatus() { return Status(StatusCode::kCancelled, "compaction given up"); }

}  // namespace

void StateStore::Snapshot::write(int source, const fs::path& source_path, const fs::path& tmp,
                                 const std::atomic<bool>* cancel) {
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
    if (givenUp(cancel)) {
      status = givenUpStatus();
      return;
    }
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

Status StateStore::Snapshot::collect(int source, const fs::path& source_path,
                                     const std::atomic<bool>* cancel) {
  if (cut == 0) return Status::ok();
  void* mapped = ::mmap(nullptr, cut, PROT_READ, MAP_SHARED, source, 0);
  if (mapped == MAP_FAILED) return ioError("mapping", source_path, errno);
  std::string_view bytes(static_cast<const char*>(mapped), cut);
  // The live keys, by the same rules as the store's own tables, in a map of this thread's own.
  std::map<std::string_view, std::unordered_map<std::string_view, Location>, std::less<>> live;
  auto replayed = log::replay(bytes, [&](std::span<const log::WriteView> writes) {
    if (givenUp(cancel)) return;  // the rest of the log is only checked, not collected
    for (const log::WriteView& write : writes) {
      Location value;
      if (write.kind == Write::Kind::kPut) {
        value = {static_cast<uint64_t>(write.value.data() - bytes.data()),
                 static_cast<uint32_t>(write.value.size())};
      }
      applyTo(live, write.kind, write.table, write.key, value,
              [](std::string_view, std::string_view, Location) {});
    }
  });
  Status status = replayed.isOk() ? Status::ok() : replayed.status();
  if (status && givenUp(cancel)) status = givenUpStatus();
  if (status && replayed->good_bytes != cut) {
    // The store's own writes up to `cut` are whole records: anything else is a changed file.
    status = Status(StatusCode::kDataLoss,
                    fmt::format("{}: the log's first {} bytes no longer replay whole ({})",
                                source_path.string(), cut, replayed->torn_tail));
  }
  if (status) {
    size_t count = 0;
    for (const auto& [table, rows] : live) count += rows.size();
    entries.reserve(count);
    for (const auto& [table, rows] : live) {
      auto index = static_cast<uint32_t>(tables.size());
      tables.emplace_back(table);
      for (const auto& [key, at] : rows) entries.push_back({index, std::string(key), at});
    }
  }
  ::munmap(mapped, cut);
  return status;
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
  // Only where the log ends now: the live entries are found by the compaction's thread, in the
  // log (a copy of them made here, under the lock, held the writing module's thread for ~20 ms
  // per compaction at 1 000 events/s).
  compaction->snapshot = std::make_unique<Snapshot>();
  compaction->snapshot->cut = files_->log_bytes;
  Compaction* running = compaction.get();
  try {
    compaction->thread =
        std::thread([running, source = files_->log, path = file_, tmp = withSuffix(file_, ".tmp")] {
          nameThisThread("state-compact");
          if (!makeThisThreadIdle()) lowerThisThreadPriority().ignore();  // best effort
          Snapshot& snapshot = *running->snapshot;
          snapshot.status = snapshot.collect(source, path, &running->cancel);
          if (snapshot.status) snapshot.write(source, path, tmp, &running->cancel);
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
  compaction_->cancel.store(true);
  compaction_->thread.join();
  compaction_->snapshot->discard(withSuffix(file_, ".tmp"));
  compaction_.reset();
}

Status StateStore::installLocked(Snapshot& snapshot, std::span<const Write> also) {
  fs::path tmp = withSuffix(file_, ".tmp");
  // The records appended since the snapshot was taken follow it as they are: a record holds no
  // offsets, and they are whole records (the log's length only ever moves between records).
  const uint64_t tail_at = snapshot.bytes;
  // Copied through the buffer appends reuse (kept at up to kSnapshotRecordBytes), not a fresh one:
  // a new buffer of megabytes costs a page fault per 4 KiB on the thread that is waiting here.
  std::string& buffer = record_;
  for (uint64_t at = snapshot.cut; at < files_->log_bytes;) {
    auto piece =
        static_cast<uint32_t>(std::min<uint64_t>(files_->log_bytes - at, kSnapshotRecordBytes));
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
  if (files_->log >= 0) files_->retire(files_->log);
  files_->log = snapshot.fd;
  snapshot.fd = -1;
  files_->log_bytes = total;
  files_->rewrite_needed = false;
  return syncDirectory(file_.parent_path());
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
