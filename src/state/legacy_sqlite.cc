#include "state/legacy_sqlite.h"

#include <sqlite3.h>

#include <memory>
#include <string>

namespace orion::state {

namespace {

// "ORIO": how stop 17's StateStore marked its databases.
constexpr int kApplicationId = 0x4F52494F;

struct CloseDb {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
struct FinalizeStatement {
  void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};

std::string text(sqlite3_stmt* statement, int column) {
  const auto* bytes = reinterpret_cast<const char*>(sqlite3_column_text(statement, column));
  return bytes ? std::string(bytes, static_cast<size_t>(sqlite3_column_bytes(statement, column)))
               : std::string();
}

}  // namespace

Status importSqliteStore(const std::filesystem::path& file,
                         const std::function<void(const Write&)>& row) {
  std::string where = "importing " + file.string();
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(file.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr);
  std::unique_ptr<sqlite3, CloseDb> db(raw);
  if (rc != SQLITE_OK) {
    return unavailable(where + ": " + (db ? sqlite3_errmsg(db.get()) : "out of memory"));
  }
  auto query = [&](const char* sql) -> Result<std::unique_ptr<sqlite3_stmt, FinalizeStatement>> {
    sqlite3_stmt* statement = nullptr;
    int prepared = sqlite3_prepare_v2(db.get(), sql, -1, &statement, nullptr);
    std::unique_ptr<sqlite3_stmt, FinalizeStatement> owned(statement);
    if (prepared == SQLITE_NOTADB) {
      return Status(StatusCode::kDataLoss, where + ": not a SQLite database");
    }
    if (prepared != SQLITE_OK) return unavailable(where + ": " + sqlite3_errmsg(db.get()));
    return owned;
  };
  auto application_id = query("PRAGMA application_id");
  if (!application_id) return application_id.status();
  rc = sqlite3_step(application_id->get());
  if (rc == SQLITE_NOTADB) return Status(StatusCode::kDataLoss, where + ": not a SQLite database");
  if (rc != SQLITE_ROW) return unavailable(where + ": " + sqlite3_errmsg(db.get()));
  if (sqlite3_column_int(application_id->get(), 0) != kApplicationId) {
    return Status(StatusCode::kDataLoss, where + ": not an ORION state store");
  }
  auto rows = query("SELECT tbl, key, value FROM state");
  if (!rows) return rows.status();
  while ((rc = sqlite3_step(rows->get())) == SQLITE_ROW) {
    row(Write{Write::Kind::kPut, text(rows->get(), 0), text(rows->get(), 1), text(rows->get(), 2)});
  }
  if (rc != SQLITE_DONE) return unavailable(where + ": " + sqlite3_errmsg(db.get()));
  return Status::ok();
}

}  // namespace orion::state
