// The files of a trail directory and how to read their lines.
//
//   audit-<first seq, 20 digits>.jsonl   segments, in seq order; only the newest is appended to
//   head.json, checkpoint.json           the head and the retention checkpoints (trail_files.h)
//   index.db                             the SQLite index (audit_index.h), derived from the log
//   LOCK                                 held by the process writing the trail
//   repairs/                             bytes cut off a torn tail, kept for inspection
//
// Pure helpers plus a LineScanner that reads one file sequentially; any thread, one scanner per
// thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "memory/audit_file.h"

namespace orion::memory {

inline constexpr std::string_view kHeadFile = "head.json";
inline constexpr std::string_view kCheckpointFile = "checkpoint.json";
inline constexpr std::string_view kIndexFile = "index.db";
inline constexpr std::string_view kLockFile = "LOCK";
inline constexpr std::string_view kRepairsDir = "repairs";

// "audit-00000000000000000001.jsonl" for first seq 1.
std::string segmentName(uint64_t first_seq);
// The first seq a segment name stands for, or std::nullopt for any other name.
std::optional<uint64_t> parseSegmentName(std::string_view name);

// The UTC day (days since the epoch) a record's time in microseconds falls on, which daily
// rotation compares; -1 for a time before the epoch.
constexpr int64_t utcDayOf(int64_t micros) {
  return micros >= 0 ? micros / (int64_t{86'400} * 1'000'000) : -1;
}

struct SegmentInfo {
  std::string name;
  uint64_t first_seq = 0;
};

// The segments in `dir`, oldest first. An empty list when `dir` does not exist.
Result<std::vector<SegmentInfo>> listSegments(AuditFs& fs, const std::filesystem::path& dir);

// The memory a LineScanner reads into. A caller scanning many ranges one after another (the
// verifier's threads) keeps one and lends it to each scanner: a new buffer costs page faults on
// every first touch, which on a virtual machine is more than reading the bytes.
class ScanBuffer {
 public:
  char* data() { return data_.get(); }
  size_t capacity() const { return capacity_; }
  // At least `capacity` bytes, keeping the first `keep` (not zeroed beyond them).
  void reserve(size_t capacity, size_t keep);

 private:
  std::unique_ptr<char[]> data_;
  size_t capacity_ = 0;
};

// Reads the complete lines of a file from `start` up to `end` (a size snapshot) in large
// chunks. An unfinished last line (no '\n' before `end`) is not returned: tornBytes() counts it.
class LineScanner {
 public:
  LineScanner(const AuditFile& file, uint64_t start, uint64_t end);
  // The same, reading into `buffer`, which must outlive the scanner.
  LineScanner(const AuditFile& file, uint64_t start, uint64_t end, ScanBuffer& buffer);

  // The next line (without '\n') and its offset; std::nullopt at the end. The view is valid
  // until the next call.
  Result<std::optional<std::string_view>> next();
  uint64_t offset() const { return line_offset_; }  // of the line next() returned
  // Where the next line starts: after the last complete line returned.
  uint64_t position() const { return consumed_; }
  // Bytes after the last complete line, known once next() returned std::nullopt.
  uint64_t tornBytes() const { return torn_; }
  // For a caller that stops after the lines starting before `offset` (a verifier's chunk): reads
  // in large blocks up to it and in small ones after, instead of a whole block beyond it.
  void limitReadAhead(uint64_t offset) { read_limit_ = offset; }

 private:
  const AuditFile& file_;
  uint64_t end_;
  uint64_t read_to_;   // file offset up to which the buffer holds data
  uint64_t consumed_;  // file offset of the buffer's byte at cursor_
  uint64_t line_offset_ = 0;
  uint64_t torn_ = 0;
  uint64_t read_limit_ = UINT64_MAX;
  ScanBuffer own_buffer_;  // unless one is lent
  ScanBuffer& buffer_;     // bytes [cursor_, filled_) are not returned yet
  size_t filled_ = 0;
  size_t cursor_ = 0;
};

// The last complete line of a file (and its offset) that ends at or before `end`, or
// std::nullopt when there is none.
struct LastLine {
  std::string text;
  uint64_t offset = 0;
};
Result<std::optional<LastLine>> readLastLine(const AuditFile& file, uint64_t end);

}  // namespace orion::memory
