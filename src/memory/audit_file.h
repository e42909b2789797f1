// Memory's file layer: every byte memory reads or writes goes through an AuditFs, so tests inject
// a fault-injecting one (a full disk, a failing fsync, a torn write) and run without root. The
// real one is posixAuditFs().
//
// Errors name the path and the OS reason: kResourceExhausted for a full disk or quota (ENOSPC,
// EDQUOT), kPermissionDenied (EACCES, EPERM), kNotFound for a missing file, kUnavailable for
// anything else. Thread-safety: an AuditFs is shared and stateless; an AuditFile is used by one
// writer, though readAt() may run concurrently with append() (pread on its own fd).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace orion::memory {

class AuditFile {
 public:
  virtual ~AuditFile() = default;

  virtual const std::filesystem::path& path() const = 0;

  // Bytes in the file: what was there when it was opened plus what append() wrote since.
  virtual uint64_t size() const = 0;
  // The file's size now (fstat), for a reader following a file another process appends to.
  virtual Result<uint64_t> currentSize() const = 0;

  // Up to `length` bytes from `offset` (fewer at the end of the file).
  virtual Result<std::string> readAt(uint64_t offset, size_t length) const = 0;
  // The same into the caller's buffer (no allocation): the byte count read. The default goes
  // through readAt(); the real file reads straight into `out`.
  virtual Result<size_t> readInto(uint64_t offset, char* out, size_t length) const;

  // Writes all of `bytes` at the end, or fails. A failed append leaves the file as it was: a
  // partly written tail is cut off again, so nothing after it follows a torn record. If even that
  // fails, kDataLoss (the file then ends in a partial record, which the caller must remove before
  // writing again).
  virtual Status append(std::string_view bytes) = 0;

  // Makes everything appended so far durable (fdatasync).
  virtual Status sync() = 0;

  // Cuts the file to `size` bytes.
  virtual Status truncate(uint64_t size) = 0;
};

// Held for its lifetime; released on destruction (or when the process dies).
class FileLock {
 public:
  virtual ~FileLock() = default;
};

class AuditFs {
 public:
  virtual ~AuditFs() = default;

  // Opens `path` for appending and reading, creating it (mode 0600) if missing.
  virtual Result<std::unique_ptr<AuditFile>> openAppend(const std::filesystem::path& path) = 0;
  // Opens an existing file for reading only (append/truncate/sync then fail); kNotFound if absent.
  virtual Result<std::unique_ptr<AuditFile>> openRead(const std::filesystem::path& path) = 0;

  // Creates `dir` and each missing parent with mode 0700: the trail is nobody else's business.
  virtual Status makeDirectories(const std::filesystem::path& dir) = 0;
  // The names of the regular files in `dir` (unsorted); kNotFound if `dir` does not exist.
  virtual Result<std::vector<std::string>> list(const std::filesystem::path& dir) = 0;
  // Deletes a file; OK if it is already gone.
  virtual Status remove(const std::filesystem::path& path) = 0;
  // Makes the directory's entries (created, renamed, removed files) durable.
  virtual Status syncDirectory(const std::filesystem::path& dir) = 0;

  // Replaces `path` with `bytes` (mode 0600) so readers see the old or the new content, never a
  // mix: a temporary file renamed over it. `durable`: the file and the directory are also synced.
  virtual Status writeAtomic(const std::filesystem::path& path, std::string_view bytes,
                             bool durable) = 0;
  // A small file's whole content, or std::nullopt if it does not exist.
  virtual Result<std::optional<std::string>> readWhole(const std::filesystem::path& path) = 0;

  // An exclusive advisory lock (flock) on `path`, created if missing. kFailedPrecondition when
  // another process (or another lock in this one) holds it.
  virtual Result<std::unique_ptr<FileLock>> lock(const std::filesystem::path& path) = 0;
};

// The real filesystem: open(2), write(2), pread(2), fdatasync(2), rename(2), flock(2).
std::shared_ptr<AuditFs> makePosixAuditFs();

}  // namespace orion::memory
