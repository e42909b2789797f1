// The append-only audit log: numbers records, skips documents it has already recorded, and makes
// them durable in batches. The file format is in audit_record.h.
//
// Thread-safe: the memory service appends from one bus thread per stream and syncs from its
// flush thread. Appends are serialised (seq order is file order); sync() does not block appends.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_set>

#include "common/clock.h"
#include "common/json.h"
#include "common/status.h"
#include "memory/audit_file.h"

namespace orion::memory {

struct AuditLogOptions {
  size_t id_window = 8192;              // recent record keys kept to recognise redeliveries
  size_t tail_bytes = 4 * 1024 * 1024;  // how much of the file is read at open to rebuild them
};

// What open() found and repaired.
struct Recovery {
  uint64_t last_seq = 0;
  uint64_t torn_bytes_removed = 0;  // an unfinished final line, cut off
  uint64_t unreadable_lines = 0;    // complete lines in the tail that are not records (skipped)
};

struct Appended {
  bool duplicate = false;  // already recorded: nothing was written
  uint64_t seq = 0;        // the record's seq (the last seq for a duplicate)
};

class AuditLog {
 public:
  // Opens the log over `file`: the last record's seq continues, and the keys of the records in the
  // tail rebuild the duplicate window. An unfinished final line (a crash mid-write) is cut off.
  // kDataLoss, naming the file and byte offset, when the last complete line is not a record:
  // appending after it would continue the sequence from a guess.
  static Result<std::unique_ptr<AuditLog>> open(std::unique_ptr<AuditFile> file,
                                                AuditLogOptions options = {});

  // Appends `document` of contract `type`, delivered as bus entry `entry_id`, unless a record
  // with the same key (recordKey) is in the window. On success the line has been written to the
  // file (not necessarily synced). On failure nothing was written and nothing changed: the same
  // document can be appended again.
  Result<Appended> append(std::string_view type, std::string_view entry_id, const Json& document,
                          WallTime recorded_at);

  // fdatasync()s what was appended since the last successful sync; OK at once when nothing was.
  Status sync();

  uint64_t lastSeq() const;
  const Recovery& recovery() const { return recovery_; }
  const std::filesystem::path& path() const { return file_->path(); }

 private:
  AuditLog(std::unique_ptr<AuditFile> file, AuditLogOptions options);
  Status recover();
  bool seen(std::string_view key) const;
  void remember(std::string key);

  std::unique_ptr<AuditFile> file_;
  AuditLogOptions options_;
  Recovery recovery_;

  mutable std::mutex mutex_;
  uint64_t last_seq_ = 0;
  bool unsynced_ = false;
  // The window: keys in arrival order, and a set of views into them. A deque never moves its
  // elements on push_back/pop_front, so the views stay valid until their key is dropped.
  std::deque<std::string> window_order_;
  std::unordered_set<std::string_view> window_;
};

}  // namespace orion::memory
