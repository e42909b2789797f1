#include "memory/segments.h"

#include <algorithm>
#include <charconv>
#include <cstring>

namespace orion::memory {
namespace {

constexpr std::string_view kSegmentPrefix = "audit-";
constexpr std::string_view kSegmentSuffix = ".jsonl";
constexpr size_t kSeqDigits = 20;
constexpr size_t kChunk = 4 << 20;  // large sequential reads: verification is I/O bound otherwise
constexpr size_t kTailChunk = 64 << 10;

}  // namespace

std::string segmentName(uint64_t first_seq) {
  std::string digits = std::to_string(first_seq);
  return std::string(kSegmentPrefix) + std::string(kSeqDigits - digits.size(), '0') + digits +
         std::string(kSegmentSuffix);
}

std::optional<uint64_t> parseSegmentName(std::string_view name) {
  if (name.size() != kSegmentPrefix.size() + kSeqDigits + kSegmentSuffix.size()) return {};
  if (name.substr(0, kSegmentPrefix.size()) != kSegmentPrefix) return {};
  if (name.substr(name.size() - kSegmentSuffix.size()) != kSegmentSuffix) return {};
  std::string_view digits = name.substr(kSegmentPrefix.size(), kSeqDigits);
  uint64_t seq = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), seq);
  if (ec != std::errc() || end != digits.data() + digits.size() || seq == 0) return {};
  return seq;
}

Result<std::vector<SegmentInfo>> listSegments(AuditFs& fs, const std::filesystem::path& dir) {
  Result<std::vector<std::string>> names = fs.list(dir);
  if (!names) {
    if (names.status().code() == StatusCode::kNotFound) return std::vector<SegmentInfo>{};
    return names.status();
  }
  std::vector<SegmentInfo> segments;
  for (std::string& name : *names) {
    if (std::optional<uint64_t> first = parseSegmentName(name)) {
      segments.push_back({std::move(name), *first});
    }
  }
  std::sort(segments.begin(), segments.end(),
            [](const SegmentInfo& a, const SegmentInfo& b) { return a.first_seq < b.first_seq; });
  return segments;
}

void ScanBuffer::reserve(size_t capacity, size_t keep) {
  if (capacity <= capacity_) return;
  // for_overwrite: the bytes are read into, never looked at before.
  auto grown = std::make_unique_for_overwrite<char[]>(capacity);
  if (keep > 0) std::memcpy(grown.get(), data_.get(), keep);
  data_ = std::move(grown);
  capacity_ = capacity;
}

LineScanner::LineScanner(const AuditFile& file, uint64_t start, uint64_t end)
    : LineScanner(file, start, end, own_buffer_) {}

LineScanner::LineScanner(const AuditFile& file, uint64_t start, uint64_t end, ScanBuffer& buffer)
    : file_(file), end_(end), read_to_(start), consumed_(start), buffer_(buffer) {}

Result<std::optional<std::string_view>> LineScanner::next() {
  while (true) {
    const char* begin = buffer_.data() + cursor_;
    size_t available = filled_ - cursor_;
    if (const void* newline = available == 0 ? nullptr : std::memchr(begin, '\n', available)) {
      size_t length = static_cast<size_t>(static_cast<const char*>(newline) - begin);
      line_offset_ = consumed_;
      cursor_ += length + 1;
      consumed_ += length + 1;
      return std::optional<std::string_view>(std::string_view(begin, length));
    }
    if (read_to_ >= end_) {
      torn_ = available;
      return std::optional<std::string_view>();
    }
    // Keep the unfinished line at the front, then read after it: in large blocks up to the read
    // limit, in small ones past it (the line straddling it), into a buffer grown to hold a block
    // after the line (or the line, when it is longer than that).
    if (cursor_ > 0) {
      std::memmove(buffer_.data(), buffer_.data() + cursor_, available);
      filled_ = available;
      cursor_ = 0;
    }
    uint64_t until = std::min(end_, read_to_ < read_limit_ ? read_limit_ : read_to_ + kTailChunk);
    size_t block = static_cast<size_t>(std::min<uint64_t>(kChunk, until - read_to_));
    if (buffer_.capacity() - filled_ < block) {
      buffer_.reserve(std::max(filled_ + block, buffer_.capacity() * 2), filled_);
    }
    size_t want =
        static_cast<size_t>(std::min<uint64_t>(buffer_.capacity() - filled_, until - read_to_));
    Result<size_t> got = file_.readInto(read_to_, buffer_.data() + filled_, want);
    if (!got) return got.status();
    if (*got == 0) {  // the file shrank under us: treat what is left as unfinished
      end_ = read_to_;
      continue;
    }
    filled_ += *got;
    read_to_ += *got;
  }
}

Result<std::optional<LastLine>> readLastLine(const AuditFile& file, uint64_t end) {
  // Read backwards in growing chunks until the chunk holds a '\n' before the last one.
  size_t span = kTailChunk;
  while (true) {
    uint64_t start = end > span ? end - span : 0;
    Result<std::string> tail = file.readAt(start, static_cast<size_t>(end - start));
    if (!tail) return tail.status();
    std::string_view text = *tail;
    size_t last_newline = text.rfind('\n');
    if (last_newline == std::string_view::npos) {
      if (start == 0) return std::optional<LastLine>();
      span *= 4;
      continue;
    }
    size_t previous =
        last_newline == 0 ? std::string_view::npos : text.rfind('\n', last_newline - 1);
    if (previous == std::string_view::npos && start > 0) {
      span *= 4;
      continue;
    }
    size_t line_start = previous == std::string_view::npos ? 0 : previous + 1;
    return std::optional<LastLine>(LastLine{
        std::string(text.substr(line_start, last_newline - line_start)), start + line_start});
  }
}

}  // namespace orion::memory
