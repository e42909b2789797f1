#include "state/state_store.h"

#include <sqlite3.h>

#include <system_error>

namespace orion::state {

namespace {

namespace fs = std::filesystem;

// "ORIO": marks a database as a StateStore, so opening some other SQLite file fails clearly.
constexpr int kApplicationId = 0x4F52494F;
constexpr int kSchemaVersion = 1;

}  // namespace

void Batch::put(std::string table, std::string key, Json value) {
  writes_.push_back({Write::Kind::kPut, std::move(table), std::move(key), dumpJson(value)});
}

void Batch::erase(std::string table, std::string key) {
  writes_.push_back({Write::Kind::kErase, std::move(table), std::move(key), {}});
}

void Batch::clear(std::string table) {
  writes_.push_back({Write::Kind::kClear, std::move(table), {}, {}});
}

// The connection and its prepared statements, prepared once.
struct StateStore::Db {
  sqlite3* handle = nullptr;
  sqlite3_stmt* put = nullptr;
  sqlite3_stmt* erase = nullptr;
  sqlite3_stmt* clear = nullptr;
  sqlite3_stmt* get = nullptr;
  sqlite3_stmt* scan = nullptr;
  sqlite3_stmt* count = nullptr;

  ~Db() {
    for (sqlite3_stmt* statement : {put, erase, clear, get, scan, count}) {
      sqlite3_finalize(statement);
    }
    sqlite3_close(handle);
  }

  std::string error() const { return handle ? sqlite3_errmsg(handle) : "out of memory"; }

  Status exec(const char* sql, std::string_view what) const {
    char* message = nullptr;
    if (sqlite3_exec(handle, sql, nullptr, nullptr, &message) == SQLITE_OK) return Status::ok();
    std::string text = message ? message : error();
    sqlite3_free(message);
    return unavailable(std::string(what) + ": " + text);
  }

  Result<int> pragmaInt(const char* sql) const {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(handle, sql, -1, &statement, nullptr) != SQLITE_OK) {
      return unavailable(error());
    }
    int rc = sqlite3_step(statement);
    int value = rc == SQLITE_ROW ? sqlite3_column_int(statement, 0) : 0;
    sqlite3_finalize(statement);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return unavailable(error());
    return value;
  }

  // Why opening failed, from the last error code.
  Status openError() const {
    int code = sqlite3_extended_errcode(handle) & 0xff;
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED) {
      return unavailable(
          "locked by another process (is another ORION using this state "
          "directory?)");
    }
    if (code == SQLITE_NOTADB) return {StatusCode::kDataLoss, "not a state store: " + error()};
    return unavailable(error());
  }

  Status prepare(const char* sql, sqlite3_stmt** statement) const {
    if (sqlite3_prepare_v2(handle, sql, -1, statement, nullptr) == SQLITE_OK) return Status::ok();
    return unavailable("preparing '" + std::string(sql) + "': " + error());
  }
};

namespace {

// Binds text without copying: the statement is reset before the caller's strings go away.
void bindText(sqlite3_stmt* statement, int index, std::string_view text) {
  sqlite3_bind_text(statement, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
}

// Runs a statement that returns no rows and resets it.
int stepOnce(sqlite3_stmt* statement) {
  int rc = sqlite3_step(statement);
  sqlite3_reset(statement);
  sqlite3_clear_bindings(statement);
  return rc;
}

std::string columnText(sqlite3_stmt* statement, int column) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, column));
  return text ? std::string(text, static_cast<size_t>(sqlite3_column_bytes(statement, column)))
              : std::string();
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

}  // namespace

StateStore::StateStore(fs::path file, std::unique_ptr<Db> db)
    : file_(std::move(file)), db_(std::move(db)) {}

StateStore::~StateStore() = default;

Result<std::unique_ptr<StateStore>> StateStore::open(const fs::path& file, Durability durability) {
  auto context = [&file](const Status& status) {
    return status.withContext("state store " + file.string());
  };
  if (Status made = createParent(file); !made) return context(made);

  auto db = std::make_unique<Db>();
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(file.c_str(), &db->handle, flags, nullptr) != SQLITE_OK) {
    return context(unavailable("opening: " + db->error()));
  }
  sqlite3_extended_result_codes(db->handle, 1);

  // The first read is where another process's lock (SQLITE_BUSY) or a file that is not a
  // database at all (SQLITE_NOTADB) shows.
  auto application_id = db->pragmaInt("PRAGMA application_id");
  if (!application_id) return context(db->openError());
  auto tables = db->pragmaInt("SELECT count(*) FROM sqlite_master");
  if (!tables) return context(tables.status());
  if (*tables > 0 && *application_id != kApplicationId) {
    return context({StatusCode::kDataLoss, "not a state store (some other SQLite database)"});
  }

  // Exclusive locking: a second ORION on the same state directory fails here instead of both
  // silently sharing (and fighting over) one module's safety state.
  const char* sync = durability == Durability::kPowerLoss ? "PRAGMA synchronous=FULL"
                                                          : "PRAGMA synchronous=NORMAL";
  // The WAL is copied back into the database every 4096 pages (16 MiB with 4 KiB pages) rather
  // than SQLite's 1000: a module rewrites the same pages (its outbox, its recent ids, the tree's
  // upper levels) batch after batch, and each is then copied once per checkpoint instead of
  // four times (the embedded pipeline with the guardian's and the brain's state: +10-15 %).
  for (const char* sql : {"PRAGMA locking_mode=EXCLUSIVE", "PRAGMA journal_mode=WAL", sync,
                          "PRAGMA wal_autocheckpoint=4096"}) {
    if (Status status = db->exec(sql, sql); !status) return context(status);
  }
  Status created = db->exec(
      "BEGIN IMMEDIATE;"
      "CREATE TABLE IF NOT EXISTS state (tbl TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT "
      "NULL, PRIMARY KEY (tbl, key)) WITHOUT ROWID;"
      "COMMIT;",
      "creating the schema");
  if (!created) return context(db->openError());
  if (*tables == 0) {
    std::string mark = "PRAGMA application_id=" + std::to_string(kApplicationId) +
                       "; PRAGMA user_version=" + std::to_string(kSchemaVersion);
    if (Status status = db->exec(mark.c_str(), "marking the store"); !status) {
      return context(status);
    }
  } else if (auto version = db->pragmaInt("PRAGMA user_version");
             !version || *version > kSchemaVersion) {
    return context({StatusCode::kDataLoss, "written by a newer ORION (schema version " +
                                               std::to_string(version.valueOr(-1)) + ")"});
  }

  Status prepared = db->prepare(
      "INSERT INTO state (tbl, key, value) VALUES (?1, ?2, ?3) "
      "ON CONFLICT (tbl, key) DO UPDATE SET value = excluded.value",
      &db->put);
  if (prepared) prepared = db->prepare("DELETE FROM state WHERE tbl = ?1 AND key = ?2", &db->erase);
  if (prepared) prepared = db->prepare("DELETE FROM state WHERE tbl = ?1", &db->clear);
  if (prepared) {
    prepared = db->prepare("SELECT value FROM state WHERE tbl = ?1 AND key = ?2", &db->get);
  }
  if (prepared) {
    prepared = db->prepare("SELECT key, value FROM state WHERE tbl = ?1 ORDER BY key", &db->scan);
  }
  if (prepared) prepared = db->prepare("SELECT count(*) FROM state WHERE tbl = ?1", &db->count);
  if (!prepared) return context(prepared);

  return std::unique_ptr<StateStore>(new StateStore(file, std::move(db)));
}

Status StateStore::applyLocked(const Batch& batch) {
  for (const Batch::Write& write : batch.writes_) {
    sqlite3_stmt* statement = nullptr;
    switch (write.kind) {
      case Batch::Write::Kind::kPut:
        statement = db_->put;
        bindText(statement, 3, write.value);
        break;
      case Batch::Write::Kind::kErase:
        statement = db_->erase;
        break;
      case Batch::Write::Kind::kClear:
        statement = db_->clear;
        break;
    }
    bindText(statement, 1, write.table);
    if (write.kind != Batch::Write::Kind::kClear) bindText(statement, 2, write.key);
    if (stepOnce(statement) != SQLITE_DONE) {
      return unavailable("writing " + write.table + "/" + write.key + ": " + db_->error());
    }
  }
  return Status::ok();
}

Status StateStore::apply(const Batch& batch) {
  if (batch.empty()) return Status::ok();
  std::lock_guard lock(mutex_);
  auto context = [this](const Status& status) {
    return status.withContext("state store " + file_.string());
  };
  if (Status begun = db_->exec("BEGIN IMMEDIATE", "beginning a transaction"); !begun) {
    return context(begun);
  }
  if (Status applied = applyLocked(batch); !applied) {
    db_->exec("ROLLBACK", "rolling back").ignore();  // the write error is what matters
    return context(applied);
  }
  if (Status committed = db_->exec("COMMIT", "committing"); !committed) {
    db_->exec("ROLLBACK", "rolling back").ignore();
    return context(committed);
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

Result<std::optional<Json>> StateStore::get(std::string_view table, std::string_view key) const {
  std::lock_guard lock(mutex_);
  bindText(db_->get, 1, table);
  bindText(db_->get, 2, key);
  int rc = sqlite3_step(db_->get);
  std::optional<std::string> text;
  if (rc == SQLITE_ROW) text = columnText(db_->get, 0);
  sqlite3_reset(db_->get);
  sqlite3_clear_bindings(db_->get);
  std::string where =
      "state store " + file_.string() + ": " + std::string(table) + "/" + std::string(key);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return unavailable(where + ": " + db_->error());
  if (!text) return std::optional<Json>();
  auto parsed = parseJson(*text);
  if (!parsed) return Status(StatusCode::kDataLoss, where + ": " + parsed.status().message());
  return std::optional<Json>(std::move(parsed).value());
}

Result<std::vector<std::pair<std::string, Json>>> StateStore::scan(std::string_view table) const {
  std::lock_guard lock(mutex_);
  std::vector<std::pair<std::string, Json>> rows;
  bindText(db_->scan, 1, table);
  int rc;
  Status bad;
  while ((rc = sqlite3_step(db_->scan)) == SQLITE_ROW) {
    std::string key = columnText(db_->scan, 0);
    auto parsed = parseJson(columnText(db_->scan, 1));
    if (!parsed) {
      bad = Status(StatusCode::kDataLoss, "state store " + file_.string() + ": " +
                                              std::string(table) + "/" + key + ": " +
                                              parsed.status().message());
      break;
    }
    rows.emplace_back(std::move(key), std::move(parsed).value());
  }
  sqlite3_reset(db_->scan);
  sqlite3_clear_bindings(db_->scan);
  if (!bad.isOk()) return bad;
  if (rc != SQLITE_DONE) {
    return unavailable("state store " + file_.string() + ": scanning " + std::string(table) + ": " +
                       db_->error());
  }
  return rows;
}

Result<size_t> StateStore::count(std::string_view table) const {
  std::lock_guard lock(mutex_);
  bindText(db_->count, 1, table);
  int rc = sqlite3_step(db_->count);
  size_t n = rc == SQLITE_ROW ? static_cast<size_t>(sqlite3_column_int64(db_->count, 0)) : 0;
  sqlite3_reset(db_->count);
  sqlite3_clear_bindings(db_->count);
  if (rc != SQLITE_ROW) {
    return unavailable("state store " + file_.string() + ": counting " + std::string(table) + ": " +
                       db_->error());
  }
  return n;
}

}  // namespace orion::state
