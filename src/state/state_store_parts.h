// The parts of a StateStore shared by its two source files: state_store.cc (open, replay,
// writes, reads) and state_compaction.cc (snapshots, and putting them in place). Internal to the
// state module.
#pragma once

#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "common/thread_name.h"
#include "common/thread_priority.h"
#include "state/state_store.h"

namespace orion::state {

// A snapshot is written as records of at most this many payload bytes, flushed in pieces of
// about four times that, so compacting a large state needs little extra memory.
inline constexpr size_t kSnapshotRecordBytes = 1 << 20;

// What one live entry adds to a snapshot: kind, three lengths, and the bytes.
inline size_t entryBytes(std::string_view table, std::string_view key, size_t value_bytes) {
  return 1 + 12 + table.size() + key.size() + value_bytes;
}

template <typename Tables, typename Dropped>
void StateStore::applyTo(Tables& tables, Write::Kind kind, std::string_view table,
                         std::string_view key, Location value, Dropped&& dropped) {
  using TableName = typename Tables::key_type;
  using Rows = typename Tables::mapped_type;
  auto found = tables.find(table);
  switch (kind) {
    case Write::Kind::kPut: {
      if (found == tables.end()) found = tables.emplace(TableName(table), Rows()).first;
      auto [row, inserted] = found->second.try_emplace(typename Rows::key_type(key));
      if (!inserted) dropped(table, key, row->second);
      row->second = value;
      return;
    }
    case Write::Kind::kErase: {
      if (found == tables.end()) return;
      auto row = found->second.find(key);
      if (row == found->second.end()) return;
      dropped(table, key, row->second);
      found->second.erase(row);
      if (found->second.empty()) tables.erase(found);
      return;
    }
    case Write::Kind::kClear: {
      if (found == tables.end()) return;
      for (const auto& [row_key, row_value] : found->second) dropped(table, row_key, row_value);
      tables.erase(found);
      return;
    }
  }
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
  // Closes the log a compaction replaced (retire()).
  std::thread closer;

  // Closes `fd`, the log a compaction replaced, on a thread of its own: it was renamed over, so
  // this close frees the file and its cached pages, milliseconds for a log of some megabytes,
  // which the writer that put the compaction in place (a module's thread) need not wait for.
  void retire(int fd) {
    if (closer.joinable()) closer.join();  // the previous one, long done
    try {
      closer = std::thread([fd] {
        nameThisThread("state-close");
        lowerThisThreadPriority().ignore();  // best effort
        ::close(fd);
      });
    } catch (const std::system_error&) {
      ::close(fd);  // no thread to be had
    }
  }

  ~Files() {
    if (closer.joinable()) closer.join();
    if (log >= 0) ::close(log);
    if (lock >= 0) ::close(lock);
  }
};

// A copy of the live state: the entries and where their values were in the log when it was
// taken, then the new file it was written to. The entries are copied from the store's tables
// under its mutex (StateStore::snapshotLocked), or found by replaying the log up to `cut`
// (collect(), on a compaction's own thread); written without the mutex either way: the old log's
// bytes before `cut` never change.
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

  // Finds the entries live at `cut` by replaying the log open as `source` up to there. Once
  // `*cancel` (may be null) is set it stops collecting and returns kCancelled.
  Status collect(int source, const std::filesystem::path& source_path,
                 const std::atomic<bool>* cancel = nullptr);
  // Writes the entries, their values read from `source` (the old log, `source_path`), to `tmp`
  // as records of puts, and syncs it.
  // A compaction given up sets `*cancel` (may be null): write() then stops soon, status set.
  void write(int source, const std::filesystem::path& source_path, const std::filesystem::path& tmp,
             const std::atomic<bool>* cancel = nullptr);
  // Closes and removes the new file.
  void discard(const std::filesystem::path& tmp) {
    if (fd >= 0) ::close(fd);
    fd = -1;
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
  }
};

// A compaction in the background: its snapshot, written by its own thread, in the idle
// scheduling class (common/thread_priority.h): a woken pipeline thread takes its CPU at once.
// Given up (the store closes), it is told to stop (`cancel`) and joined: on a machine busy with
// other work it may have been waiting for a CPU, and stops at its next record or entry when it
// gets one.
struct StateStore::Compaction {
  std::unique_ptr<Snapshot> snapshot;
  std::atomic<bool> done{false};
  std::atomic<bool> cancel{false};
  std::thread thread;
};

}  // namespace orion::state
