#include "memory/sqlite_db.h"

#include <utility>

namespace orion::memory {

Statement::~Statement() {
  if (statement_ != nullptr) sqlite3_finalize(statement_);
}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), statement_(std::exchange(other.statement_, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    if (statement_ != nullptr) sqlite3_finalize(statement_);
    db_ = other.db_;
    statement_ = std::exchange(other.statement_, nullptr);
  }
  return *this;
}

Statement& Statement::reset() {
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
  return *this;
}

Statement& Statement::bind(int index, int64_t value) {
  sqlite3_bind_int64(statement_, index, value);
  return *this;
}

Statement& Statement::bindText(int index, std::string_view text) {
  sqlite3_bind_text(statement_, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
  return *this;
}

Statement& Statement::bindBlob(int index, std::string_view bytes) {
  sqlite3_bind_blob(statement_, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_STATIC);
  return *this;
}

Statement& Statement::bindNull(int index) {
  sqlite3_bind_null(statement_, index);
  return *this;
}

Result<bool> Statement::step() {
  int rc = sqlite3_step(statement_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Status error = db_->error("running '" + std::string(sqlite3_sql(statement_)) + "'");
  sqlite3_reset(statement_);
  return error;
}

Status Statement::run() {
  Result<bool> stepped = step();
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
  return stepped.status();
}

int64_t Statement::columnInt(int column) const { return sqlite3_column_int64(statement_, column); }

bool Statement::columnIsNull(int column) const {
  return sqlite3_column_type(statement_, column) == SQLITE_NULL;
}

std::string Statement::columnText(int column) const {
  const auto* text = static_cast<const char*>(sqlite3_column_blob(statement_, column));
  int size = sqlite3_column_bytes(statement_, column);
  return text == nullptr ? std::string() : std::string(text, static_cast<size_t>(size));
}

Result<std::unique_ptr<SqliteDb>> SqliteDb::open(const std::filesystem::path& file, bool read_only,
                                                 int busy_ms) {
  sqlite3* handle = nullptr;
  int flags = read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  flags |= SQLITE_OPEN_NOMUTEX;  // one connection per thread, or guarded by its owner
  int rc = sqlite3_open_v2(file.c_str(), &handle, flags, nullptr);
  std::unique_ptr<SqliteDb> db(new SqliteDb(file, handle));
  if (rc != SQLITE_OK) return db->error("opening");
  sqlite3_busy_timeout(handle, busy_ms);
  sqlite3_extended_result_codes(handle, 1);
  return db;
}

SqliteDb::~SqliteDb() { sqlite3_close_v2(handle_); }

Status SqliteDb::exec(std::string_view sql) {
  std::string text(sql);
  char* message = nullptr;
  if (sqlite3_exec(handle_, text.c_str(), nullptr, nullptr, &message) == SQLITE_OK) {
    return Status::ok();
  }
  sqlite3_free(message);
  return error("running '" + text + "'");
}

Result<Statement> SqliteDb::prepare(std::string_view sql) {
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v3(handle_, sql.data(), static_cast<int>(sql.size()),
                         SQLITE_PREPARE_PERSISTENT, &statement, nullptr) != SQLITE_OK) {
    return error("preparing '" + std::string(sql) + "'");
  }
  return Statement(this, statement);
}

Status SqliteDb::error(std::string_view what) const {
  int code = handle_ == nullptr ? SQLITE_NOMEM : sqlite3_extended_errcode(handle_) & 0xff;
  std::string message = file_.string() + ": " + std::string(what) + ": " +
                        (handle_ == nullptr ? "out of memory" : sqlite3_errmsg(handle_));
  switch (code) {
    case SQLITE_FULL:
      return {StatusCode::kResourceExhausted, message};
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return {StatusCode::kDataLoss, message};
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_CANTOPEN:
      return {StatusCode::kPermissionDenied, message};
    default:
      return unavailable(message);
  }
}

int64_t SqliteDb::changes() const { return sqlite3_changes64(handle_); }

}  // namespace orion::memory
