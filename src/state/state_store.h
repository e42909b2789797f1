// StateStore: the durable safety state of one module, kept beside the audit trail.
//
// The audit trail (memory module) is the record of what ORION saw, decided and did, for people.
// Safety state is what a module must still know after a restart to stay safe: the guardian's open
// incidents and fingerprints, the brain's cooldowns, rate-limit windows and breakers, the approval
// coordinator's pending requests, the commander's pending decisions and in-flight actions. Each
// module keeps that state in its own StateStore (`<state_dir>/<module>/state.db`), because in the
// distributed shape the modules run on different hosts and the audit trail lives only on the core;
// a module must be able to rebuild from something local, without reading another module's files.
//
// The store is a SQLite database in WAL mode holding JSON values under (table, key). A write is one
// transaction; apply() makes several writes atomic. Durability is selectable:
//   kProcessCrash (default, synchronous=NORMAL): a committed write survives a crash or kill -9 of
//     the process; a power loss may lose the last few commits (never corrupts the database).
//   kPowerLoss (synchronous=FULL): each commit is fsync'd before it returns.
//
// Thread-safety: every method may be called from any thread; calls are serialised internally.
// Errors are kUnavailable (I/O, disk full, locked by another process) or kDataLoss (a stored value
// that is not JSON, or a database that is not a StateStore), always naming the file.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "common/json.h"
#include "common/status.h"

namespace orion::state {

enum class Durability { kProcessCrash, kPowerLoss };

// Several writes applied together or not at all.
class Batch {
 public:
  void put(std::string table, std::string key, Json value);
  void erase(std::string table, std::string key);
  // Removes every key of `table`.
  void clear(std::string table);
  bool empty() const { return writes_.empty(); }
  size_t size() const { return writes_.size(); }

 private:
  friend class StateStore;
  struct Write {
    enum class Kind { kPut, kErase, kClear };
    Kind kind;
    std::string table;
    std::string key;
    std::string value;  // serialised JSON for kPut
  };
  std::vector<Write> writes_;
};

class StateStore {
 public:
  ~StateStore();
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  // Opens (creating it and its parent directory, mode 0700, if needed) the store at `file`.
  // Fails with kUnavailable if the file cannot be opened or is locked by another process, and with
  // kDataLoss if it exists but is not a StateStore database.
  static Result<std::unique_ptr<StateStore>> open(
      const std::filesystem::path& file, Durability durability = Durability::kProcessCrash);

  Status put(std::string_view table, std::string_view key, const Json& value);
  Status erase(std::string_view table, std::string_view key);  // OK if the key is absent
  Status apply(const Batch& batch);                            // atomic; OK for an empty batch

  // The value under (table, key), or std::nullopt if there is none.
  Result<std::optional<Json>> get(std::string_view table, std::string_view key) const;
  // Every (key, value) of `table`, ordered by key.
  Result<std::vector<std::pair<std::string, Json>>> scan(std::string_view table) const;
  // Number of keys in `table`.
  Result<size_t> count(std::string_view table) const;

  const std::filesystem::path& file() const { return file_; }

 private:
  struct Db;
  StateStore(std::filesystem::path file, std::unique_ptr<Db> db);
  Status applyLocked(const Batch& batch);

  std::filesystem::path file_;
  mutable std::mutex mutex_;
  std::unique_ptr<Db> db_;
};

}  // namespace orion::state
