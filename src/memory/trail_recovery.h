// What the writer does to a trail directory before appending to it: find the chain's tip (the last
// whole, valid record), cut off a torn or damaged tail that no durable record depends on, compare
// the log with the head, and collect the recent record keys for the duplicate window.
//
// Called once, on the writer's opening thread, with the trail locked.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/json.h"
#include "common/status.h"
#include "memory/audit_file.h"
#include "memory/chain_hasher.h"
#include "memory/dedup_window.h"
#include "memory/trail_files.h"

namespace orion::memory {

struct SegmentState {
  std::string name;
  uint64_t first_seq = 0;
  uint64_t bytes = 0;
};

struct RecoveredTrail {
  std::vector<SegmentState> segments;  // oldest first; the last is the one to append to
  std::unique_ptr<AuditFile> active;   // the last segment, open for appending (null: none yet)
  uint64_t tip_seq = 0;                // the last record (0 and genesis for an empty trail)
  std::string tip_hash;
  int64_t tip_micros = 0;
  int64_t active_day = -1;  // UTC day (days since the epoch) of the active segment's first record
  bool keyed_tail = false;  // the last record carries an HMAC
  std::vector<std::pair<RecordKey, uint64_t>> recent;  // (recordKey, seq), oldest first
  // Documents of the memory records to append first: the repair of a torn tail, any integrity
  // problem found against the head. Each is {type, document}.
  std::vector<std::pair<std::string, Json>> notices;
  uint64_t torn_bytes = 0;
};

struct RecoveryOptions {
  std::filesystem::path dir;
  size_t window = 0;  // recent keys to collect
  std::string now;    // RFC 3339, for the notices' timestamps
};

// kFailedPrecondition when the trail holds HMAC records and `keyed` has no key. kDataLoss (naming
// the segment and byte offset) when the newest segment is damaged before a record the head says
// was durable: repairing would delete acknowledged records, so a person must look.
Result<RecoveredTrail> recoverTrail(AuditFs& fs, const RecoveryOptions& options,
                                    const ChainHasher& keyed, const ChainHasher& plain);

}  // namespace orion::memory
