// The two small files kept beside the log (docs/audit_log_format.md, "Head" and "Checkpoints"):
//
//  head.json        the last durable record (seq, hash), rewritten after every durable batch, so a
//                   log cut short (records deleted from its end) no longer matches it;
//  checkpoint.json  one entry per retention run: the seq and prev hash of the first record kept,
//                   so a trail whose oldest segments were deleted still verifies.
//
// Each carries a check value: SHA-256, or HMAC-SHA256 with the trail's key, over a fixed text of
// its fields, so a damaged or (with a key) forged file is detected. Pure functions over an AuditFs.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "memory/audit_file.h"
#include "memory/chain_hasher.h"

namespace orion::memory {

struct Head {
  uint64_t seq = 0;
  std::string hash;        // hex
  std::string segment;     // the segment holding record `seq`
  std::string updated_at;  // RFC 3339
  bool keyed = false;
};

struct Checkpoint {
  uint64_t first_seq = 0;  // the first record kept
  std::string prev;        // its prev: the hash of the last record deleted
  std::string first_hash;  // its own hash
  uint64_t deleted_records = 0;
  std::vector<std::string> deleted_segments;
  std::string at;      // RFC 3339
  std::string reason;  // "older than 90d", "trail above 1024 MiB"
  bool keyed = false;
};

// Writes head.json atomically; `durable` also syncs it (the writer does so now and then).
Status writeHead(AuditFs& fs, const std::filesystem::path& dir, const Head& head,
                 const ChainHasher& hasher, bool durable);

// head.json, or std::nullopt when there is none. kDataLoss when it is unreadable or its check
// does not match (with a key: was not written with it).
Result<std::optional<Head>> readHead(AuditFs& fs, const std::filesystem::path& dir,
                                     const ChainHasher& hasher);

// Appends `checkpoint` to checkpoint.json (durably: it is written before segments are deleted).
Status appendCheckpoint(AuditFs& fs, const std::filesystem::path& dir, const Checkpoint& checkpoint,
                        const ChainHasher& hasher);

// Every checkpoint, oldest first (empty when there is no file); kDataLoss as readHead.
Result<std::vector<Checkpoint>> readCheckpoints(AuditFs& fs, const std::filesystem::path& dir,
                                                const ChainHasher& hasher);

}  // namespace orion::memory
