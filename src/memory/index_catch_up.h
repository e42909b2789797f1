// Bringing the index up to the log: the one way the index learns about records it was not handed
// by the writer (after a restart, a crash, a reindex, or a reader that finds the daemon behind).
//
// Reads the log from just after the index's mark, parses each record, and adds it in large
// transactions. A mark that no longer matches the log (the log was repaired or replaced, or
// retention deleted the records around the mark) clears the index first; so does a log that
// starts after the mark. Runs on the caller's thread; safe while the daemon writes (whole lines
// only) and while another process adds to the same index (adds are idempotent).
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>

#include "common/status.h"
#include "memory/audit_file.h"
#include "memory/audit_index.h"
#include "memory/memory.h"

namespace orion::memory {

struct CatchUpResult {
  uint64_t indexed = 0;  // records added
  uint64_t mark = 0;     // the index's last seq afterwards
  bool cleared = false;  // the index did not match the log and was cleared first
};

// Indexes the log of `dir` through record `until` (UINT64_MAX: every whole line). `progress`
// gets (records added, estimate of records to add). Stops early, OK, when `stop` becomes true.
// kDataLoss naming the segment and offset when a complete line is not a record.
Result<CatchUpResult> catchUpIndex(AuditIndex& index, AuditFs& fs, const std::filesystem::path& dir,
                                   uint64_t until, const Progress& progress = nullptr,
                                   const std::atomic<bool>* stop = nullptr);

}  // namespace orion::memory
