// The audit log's file access, behind an interface so tests can inject a failing file (a full
// disk, a broken fsync) — the only place memory touches the filesystem.
//
// An AuditFile is used by one AuditLog, which serialises append()/truncate() under its own mutex;
// sync() may run concurrently with an append() (the flush thread), which POSIX allows on one fd.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace orion::memory {

class AuditFile {
 public:
  virtual ~AuditFile() = default;

  virtual const std::filesystem::path& path() const = 0;

  // Bytes in the file (what append() has written, plus what was there when it was opened).
  virtual uint64_t size() const = 0;

  // Up to `length` bytes starting at `offset` (fewer at the end of the file).
  virtual Result<std::string> readAt(uint64_t offset, size_t length) const = 0;

  // Writes all of `bytes` at the end of the file, or fails (kResourceExhausted for a full disk,
  // kUnavailable otherwise). A failed append leaves the file as it was: a partly written tail is
  // cut off again, so a retry never follows a torn record. If even that fails, kDataLoss.
  virtual Status append(std::string_view bytes) = 0;

  // Makes everything appended so far durable (fdatasync).
  virtual Status sync() = 0;

  // Cuts the file to `size` bytes (used to drop a torn final line found at start).
  virtual Status truncate(uint64_t size) = 0;
};

// Opens `path` for appending, creating it (mode 0600) and any missing parent directories (mode
// 0700) first. Errors name the path and the OS reason.
using AuditFileOpener =
    std::function<Result<std::unique_ptr<AuditFile>>(const std::filesystem::path& path)>;

// The real thing: open(2), write(2), pread(2), fdatasync(2), ftruncate(2).
Result<std::unique_ptr<AuditFile>> openPosixAuditFile(const std::filesystem::path& path);

}  // namespace orion::memory
