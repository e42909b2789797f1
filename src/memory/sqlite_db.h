// A thin RAII layer over the SQLite C API for the audit index: a connection, prepared statements
// that reset themselves, and errors as Status naming the database file. Internal to memory.
// One connection per thread (or guarded by its owner).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace orion::memory {

class SqliteDb;

// A prepared statement. bind*() then step() (repeatedly while it returns true for a row); the
// statement is reset when a new round of binds starts (reset()) or when it is destroyed.
class Statement {
 public:
  Statement() = default;
  Statement(SqliteDb* db, sqlite3_stmt* statement) : db_(db), statement_(statement) {}
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& reset();
  Statement& bind(int index, int64_t value);
  Statement& bindText(int index, std::string_view text);  // not copied: keep it alive
  Statement& bindBlob(int index, std::string_view bytes);
  Statement& bindNull(int index);

  // Runs one step: true with a row to read, false when done; an error as Status.
  Result<bool> step();
  // Runs to completion (for statements without rows) and resets.
  Status run();

  int64_t columnInt(int column) const;
  bool columnIsNull(int column) const;
  std::string columnText(int column) const;

 private:
  SqliteDb* db_ = nullptr;
  sqlite3_stmt* statement_ = nullptr;
};

class SqliteDb {
 public:
  // Opens (read-write creates) `file`. A busy database is waited on for up to `busy_ms`.
  static Result<std::unique_ptr<SqliteDb>> open(const std::filesystem::path& file, bool read_only,
                                                int busy_ms);
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  Status exec(std::string_view sql);
  Result<Statement> prepare(std::string_view sql);
  // The error of the last failed call, as a Status with the file name: kResourceExhausted for a
  // full disk, kUnavailable (busy, I/O), kDataLoss (corrupt, not a database).
  Status error(std::string_view what) const;
  int64_t changes() const;
  const std::filesystem::path& file() const { return file_; }

 private:
  SqliteDb(std::filesystem::path file, sqlite3* handle) : file_(std::move(file)), handle_(handle) {}
  std::filesystem::path file_;
  sqlite3* handle_;
};

}  // namespace orion::memory
