// StateStore: the durable safety state of one module, kept beside the audit trail.
//
// The audit trail (memory module) is the record of what ORION saw, decided and did, for people.
// Safety state is what a module must still know after a restart to stay safe: the guardian's open
// incidents and fingerprints, the brain's cooldowns, rate-limit windows and breakers, the approval
// coordinator's pending requests, the commander's pending decisions and in-flight actions. Each
// module keeps that state in its own StateStore (`<state_dir>/<module>/state.log`), because in the
// distributed shape the modules run on different hosts and the audit trail lives only on the core;
// a module must be able to rebuild from something local, without reading another module's files.
//
// Each module's file (`state.log`) is an append-only log of the batches applied to it: a write is
// one record appended with one write(2), however many keys it changes, and apply() makes several
// writes atomic. The store keeps every live key in memory with where its value's bytes are in the
// log, not the value itself: the modules hold their state in their own structures and read the
// store back only when they start, so a second copy of every value (a decision is ~2 KB) would
// only cost memory. get() and scan() read values from the file (the page cache, usually). When
// the log has grown to several times the live state it is compacted: the live values are copied
// to a new file, synced, and renamed over the old one. The copy is made on a thread of its own
// while writes go on appending to the old log; the write that finds it finished appends what was
// written meanwhile to the new file and puts it in place (so a module's write waits for a copy
// of the records of the last moments, not of its whole state). The compaction's thread finds the
// live keys by replaying the log up to where it ended when the compaction started, and the old
// log is closed on a thread of its own: what is left on the writing thread is the tail's copy and
// moving every key's location to the new file (docs/benchmarks.md, stop 27). Durability is
// selectable:
//   kProcessCrash (default): a write that returned survives a crash or kill -9 of the process; a
//     power loss may lose the writes of the last seconds (the log is synced only when compacted)
//     and a torn last record is recognised and dropped when the store is opened.
//   kPowerLoss: each write is fdatasync'd before it returns.
// A store written by an earlier ORION as a SQLite database (`state.db` beside `state.log`) is
// imported once when the log does not exist yet, then removed.
//
// Thread-safety: every method may be called from any thread; calls are serialised internally.
// Errors are kUnavailable (I/O, disk full, locked by another process) or kDataLoss (a file that is
// not a state store, written by a newer ORION, or damaged before its last record), always naming
// the file. A write that fails changes nothing, in memory or on disk.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/json.h"
#include "common/status.h"

namespace orion::state {

enum class Durability { kProcessCrash, kPowerLoss };

struct StoreOptions {
  Durability durability = Durability::kProcessCrash;
  // The log is compacted once it is larger than this and than three times the live state.
  size_t compact_after_bytes = 8 << 20;
  // false: the write that crosses the threshold compacts before it returns (tests that bound the
  // log's size exactly).
  bool compact_in_background = true;
};

// One change of a batch.
struct Write {
  enum class Kind { kPut, kErase, kClear };
  Kind kind;
  std::string table;
  std::string key;
  std::string value;  // serialised JSON for kPut
};

// Several writes applied together or not at all.
class Batch {
 public:
  void put(std::string table, std::string key, const Json& value);
  // The same with the value already written as JSON text (common/json_writer.h), for callers
  // that write their values without building a Json tree. `json_text` must be one JSON value:
  // the store stores it as given and parses it only when it is read back.
  void putText(std::string table, std::string key, std::string json_text);
  void erase(std::string table, std::string key);
  // Removes every key of `table`.
  void clear(std::string table);
  bool empty() const { return writes_.empty(); }
  size_t size() const { return writes_.size(); }
  void reserve(size_t writes) { writes_.reserve(writes); }
  const std::vector<Write>& writes() const { return writes_; }

 private:
  std::vector<Write> writes_;
};

class StateStore {
 public:
  ~StateStore();
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  // Opens (creating it and its parent directory, mode 0700, if needed) the store whose log is
  // `file` (conventionally `<dir>/state.log`; `<file>.lock` holds its lock). Fails with
  // kUnavailable if the file cannot be read or is locked by another process, and with kDataLoss
  // if it exists but is not a state log or is damaged before its last record.
  static Result<std::unique_ptr<StateStore>> open(const std::filesystem::path& file,
                                                  const StoreOptions& options);
  static Result<std::unique_ptr<StateStore>> open(
      const std::filesystem::path& file, Durability durability = Durability::kProcessCrash) {
    return open(file, StoreOptions{.durability = durability});
  }

  Status put(std::string_view table, std::string_view key, const Json& value);
  Status erase(std::string_view table, std::string_view key);  // OK if the key is absent
  Status apply(const Batch& batch);                            // atomic; OK for an empty batch

  // The value under (table, key), or std::nullopt if there is none. Read from the log: kDataLoss
  // if the file no longer holds it (changed by something else), kUnavailable if it cannot be read.
  Result<std::optional<Json>> get(std::string_view table, std::string_view key) const;
  // Every (key, value) of `table`, ordered by key; errors as get().
  Result<std::vector<std::pair<std::string, Json>>> scan(std::string_view table) const;
  // Number of keys in `table`.
  Result<size_t> count(std::string_view table) const;

  const std::filesystem::path& file() const { return file_; }

  // Bytes of the log file now; for tests and metrics.
  size_t logBytes() const;

  // True while a compaction runs on its own thread or waits to be put in place.
  bool compacting() const;
  // Waits for a running compaction and puts it in place; the Status of that (OK when none ran).
  Status finishCompaction();

 private:
  struct Files;
  struct Snapshot;
  struct Compaction;
  // Where a live value's bytes are in the log file.
  struct Location {
    uint64_t offset = 0;
    uint32_t length = 0;
  };
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view key) const { return std::hash<std::string_view>()(key); }
  };
  using Table = std::unordered_map<std::string, Location, KeyHash, std::equal_to<>>;

  StateStore(std::filesystem::path file, StoreOptions options);
  Status load();
  Status applyLocked(std::span<const Write> writes);
  // `value` is where a put's value now is (unused for erase and clear).
  void applyInMemory(Write::Kind kind, std::string_view table, std::string_view key,
                     Location value);
  // The rules of the log, on any map of tables to maps of keys to Locations (the store's own, or
  // a compaction's): a put sets the key's location, an erase removes the key, a clear the table,
  // and a table left empty is removed. `dropped(table, key, location)` is called for each
  // location replaced or removed. Defined in state_store_parts.h.
  template <typename Tables, typename Dropped>
  static void applyTo(Tables& tables, Write::Kind kind, std::string_view table,
                      std::string_view key, Location value, Dropped&& dropped);
  // Writes the live state to a new log and puts it in place of the old one; `also` (the writes of
  // an import) is appended to the new log as one more record before it is put in place. A
  // compaction running in the background is given up first.
  Status compactLocked(std::span<const Write> also = {});
  // The live entries and where they are, at the log's present end.
  std::unique_ptr<Snapshot> snapshotLocked() const;
  // Starts a compaction on its own thread.
  void startCompactionLocked();
  // Puts a finished background compaction in place (`wait`: waits for a running one); logs a
  // failure and leaves the log as it is.
  Status finishCompactionLocked(bool wait);
  // Waits for a background compaction and throws its work away.
  void abandonCompactionLocked();
  // Appends to the snapshot's file the log's records after the snapshot and `also`, syncs it,
  // renames it over the log and moves every location to the new file.
  Status installLocked(Snapshot& snapshot, std::span<const Write> also);
  // Applies in memory `writes` just appended to the log: their record's bytes start at `base`
  // in the file, and the i-th put's value at `value_at[i]` bytes after (log::appendRecord).
  void applyAppended(std::span<const Write> writes, uint64_t base,
                     const std::vector<size_t>& value_at);
  // Appends the bytes at `at` in the log to `out`.
  Status readLocked(Location at, std::string& out) const;
  Result<Json> parseLocked(std::string_view table, std::string_view key, Location at) const;
  std::string where(std::string_view table, std::string_view key) const;

  const std::filesystem::path file_;
  const StoreOptions options_;
  mutable std::mutex mutex_;
  std::unique_ptr<Files> files_;
  std::map<std::string, Table, std::less<>> tables_;
  size_t live_bytes_ = 0;  // the encoded size of the live state, for the compaction threshold
  std::string record_;     // the record being written, reused
  std::vector<size_t> value_at_;  // where in record_ each of its puts' values begins, reused
  std::unique_ptr<Compaction> compaction_;  // the one running in the background, if any
};

}  // namespace orion::state
