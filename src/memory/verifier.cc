// verifyTrail(): the whole trail without a JSON parse per record (viewRecord), on every core.
//
// The segments are cut into chunks of about 8 MiB; a chunk holds the lines that start in its byte
// range. Each chunk is checked on its own (chain_check.h) by one of the threads, its first
// record's links left open. Then, in trail order on the caller's thread, each chunk's first record
// is linked to the previous chunk's last. Every record a single pass would have checked is then
// checked the same way, so an intact trail verifies with the same figures. The first chunk whose
// own checks or links fail — and everything after it — is checked again in one pass from the last
// good record, which finds the first failure with exactly the reason, position and counts a
// single thread reports.
#include <algorithm>
#include <atomic>
#include <functional>
#include <thread>

#include "common/clock.h"
#include "memory/audit_record.h"
#include "memory/chain_check.h"
#include "memory/memory.h"
#include "memory/segments.h"
#include "memory/trail_files.h"

namespace orion::memory {
namespace {

constexpr uint64_t kDefaultChunkBytes = uint64_t{8} << 20;

struct Chunk {
  size_t segment = 0;  // index into the segments
  uint64_t begin = 0;  // the chunk holds the lines that start in [begin, end)
  uint64_t end = 0;
  bool last_in_segment = false;
};

// One pass of a checker over the lines of a chunk.
struct ChunkScan {
  Status status;                      // reading the segment failed
  bool broken = false;                // a record failed a check the chain cannot pass
  std::optional<uint64_t> lines_end;  // the end of the last whole line that starts in the chunk
};

// A chunk checked on its own (or not at all: checking stopped before it).
struct ChunkResult {
  bool checked = false;
  ChunkScan scan;
  RunFindings findings;
  ChainTip tip;
};

class Verifier {
 public:
  Verifier(const TrailOptions& trail, const VerifyOptions& options, const Progress& progress)
      : trail_(trail), options_(options), progress_(progress), keyed_(trail.key) {
    context_.key = trail.key;
    context_.deep = options.deep;
  }

  Result<VerifyReport> run();

 private:
  void fail(uint64_t seq, const std::string& segment, uint64_t offset, std::string what) {
    if (!report_.failure) report_.failure = Finding{seq, segment, offset, std::move(what)};
  }
  Status readHeadAndCheckpoints(AuditFs& fs);
  std::vector<Chunk> planChunks() const;
  ChunkScan scanChunk(const Chunk& chunk, ChainChecker& checker, ScanBuffer& buffer) const;
  // Checks every chunk on `threads` threads (the caller's among them) into results_.
  void checkChunks(const std::vector<Chunk>& chunks, unsigned threads);
  // Whether chunk `result`'s first record follows `tip` (the previous chunk's last record).
  static bool follows(const ChainTip& tip, const ChunkResult& result);
  void absorb(const RunFindings& findings);
  // In trail order: links the chunks, or checks them again in one pass from the first that
  // does not link; notes the segments' unfinished last lines. The seq of the last good record.
  Result<uint64_t> stitch(const std::vector<Chunk>& chunks);

  const TrailOptions& trail_;
  const VerifyOptions& options_;
  const Progress& progress_;
  ChainHasher keyed_;  // for the head's and checkpoints' check values
  ChainContext context_;
  VerifyReport report_;
  std::optional<Head> head_;
  std::optional<std::string> hash_at_head_;
  std::vector<SegmentInfo> segments_;
  std::vector<std::unique_ptr<AuditFile>> files_;
  std::vector<uint64_t> sizes_;  // of each segment when it was opened
  std::vector<ChunkResult> results_;
  std::atomic<uint64_t> records_done_{0};
  std::atomic<uint64_t> bytes_done_{0};
};

Status Verifier::readHeadAndCheckpoints(AuditFs& fs) {
  const std::filesystem::path& dir = trail_.dir;
  // The head first: the daemon rewrites it only after the records it names are durable, so a log
  // read after it holds at least those records.
  Result<std::optional<Head>> head = readHead(fs, dir, keyed_);
  if (head) {
    head_ = *head;
  } else if (head.status().code() == StatusCode::kDataLoss ||
             head.status().code() == StatusCode::kFailedPrecondition) {
    fail(0, "", 0, head.status().message());
  } else {
    return head.status();
  }
  Result<std::vector<Checkpoint>> checkpoints = readCheckpoints(fs, dir, keyed_);
  if (checkpoints) {
    context_.checkpoints = std::move(checkpoints).value();
  } else if (checkpoints.status().code() == StatusCode::kDataLoss ||
             checkpoints.status().code() == StatusCode::kFailedPrecondition) {
    fail(0, "", 0, checkpoints.status().message());
  } else {
    return checkpoints.status();
  }
  if (head_) context_.head_seq = head_->seq;
  return Status::ok();
}

std::vector<Chunk> Verifier::planChunks() const {
  uint64_t chunk_bytes = options_.chunk_bytes > 0 ? options_.chunk_bytes : kDefaultChunkBytes;
  std::vector<Chunk> chunks;
  for (size_t i = 0; i < segments_.size(); ++i) {
    uint64_t size = sizes_[i];
    uint64_t begin = 0;
    while (true) {  // an empty segment is one empty chunk
      uint64_t end = size - begin > chunk_bytes ? begin + chunk_bytes : size;
      chunks.push_back({i, begin, end, end == size});
      if (end == size) break;
      begin = end;
    }
  }
  return chunks;
}

ChunkScan Verifier::scanChunk(const Chunk& chunk, ChainChecker& checker, ScanBuffer& buffer) const {
  ChunkScan scan;
  const SegmentInfo& segment = segments_[chunk.segment];
  // A chunk after the first starts reading one byte early: the line holding that byte (an empty
  // one when it is a '\n') belongs to the chunk before.
  bool skip_first = chunk.begin > 0;
  LineScanner lines(*files_[chunk.segment], skip_first ? chunk.begin - 1 : 0, sizes_[chunk.segment],
                    buffer);
  lines.limitReadAhead(chunk.end);
  while (true) {
    Result<std::optional<std::string_view>> line = lines.next();
    if (!line) {
      scan.status = line.status();
      return scan;
    }
    if (!line->has_value()) return scan;
    if (std::exchange(skip_first, false)) continue;
    uint64_t offset = lines.offset();
    if (offset >= chunk.end) return scan;
    scan.lines_end = lines.position();
    if (!checker.check(**line, segment.name, offset, offset == 0, segment.first_seq)) {
      scan.broken = true;
      return scan;
    }
  }
}

void Verifier::checkChunks(const std::vector<Chunk>& chunks, unsigned threads) {
  results_.assign(chunks.size(), ChunkResult{});
  std::atomic<size_t> next{0};
  // Chunks after one that broke are not worth checking: the pass from it will stop there.
  std::atomic<size_t> first_broken{chunks.size()};
  uint64_t total_bytes = report_.bytes;
  auto work = [&](bool report_progress) {
    ScanBuffer buffer;
    while (true) {
      size_t k = next.fetch_add(1);
      if (k >= chunks.size() || k > first_broken.load()) return;
      ChainChecker checker(context_,
                           k == 0 ? ChainChecker::Begins::kTrail : ChainChecker::Begins::kUnknown);
      ChunkResult& result = results_[k];
      result.scan = scanChunk(chunks[k], checker, buffer);
      result.findings = checker.findings();
      result.tip = checker.tip();
      result.checked = true;
      if (result.scan.broken || !result.scan.status) {
        size_t seen = first_broken.load();
        while (k < seen && !first_broken.compare_exchange_weak(seen, k)) {
        }
      }
      uint64_t records = records_done_ += result.findings.records;
      uint64_t bytes = bytes_done_ += chunks[k].end - chunks[k].begin;
      if (report_progress && progress_) {
        progress_(records, bytes == 0 ? 0 : records * total_bytes / bytes);
      }
    }
  };
  std::vector<std::thread> helpers;
  for (unsigned t = 1; t < threads; ++t) helpers.emplace_back(work, false);
  work(true);  // progress is reported on the caller's thread only
  for (std::thread& helper : helpers) helper.join();
}

bool Verifier::follows(const ChainTip& tip, const ChunkResult& result) {
  const std::optional<RunStart>& start = result.findings.start;
  if (!start) return false;
  return start->seq == tip.seq + 1 && start->prev == tip.hash &&
         start->recorded_at >= tip.recorded_at && !(tip.seen_keyed && result.findings.any_unkeyed);
}

void Verifier::absorb(const RunFindings& findings) {
  report_.records += findings.records;
  report_.keyed_records += findings.keyed_records;
  report_.unauthenticated_records += findings.unauthenticated_records;
  if (report_.first_seq == 0) report_.first_seq = findings.first_seq;
  if (findings.failure && !report_.failure) report_.failure = findings.failure;
  report_.repairs.insert(report_.repairs.end(), findings.repairs.begin(), findings.repairs.end());
  if (findings.hash_at_head) hash_at_head_ = findings.hash_at_head;
}

Result<uint64_t> Verifier::stitch(const std::vector<Chunk>& chunks) {
  ChainTip tip;  // of the last record that passed
  bool started = false;
  std::unique_ptr<ChainChecker> single_pass;  // from the first chunk that does not link on
  std::optional<uint64_t> segment_lines_end;
  std::optional<Finding> torn;  // an unfinished line before the newest segment
  ScanBuffer buffer;
  for (size_t k = 0; k < chunks.size() && !torn; ++k) {
    const Chunk& chunk = chunks[k];
    if (chunk.begin == 0) segment_lines_end.reset();
    ChunkScan scan;
    if (!single_pass) {
      ChunkResult& result = results_[k];
      bool clean = result.checked && result.scan.status && !result.scan.broken;
      // The first chunk was checked as the trail's beginning; any other as following its tip.
      bool linked = result.findings.records == 0 || (started ? follows(tip, result) : k == 0);
      if (clean && linked) {
        absorb(result.findings);
        if (result.findings.records > 0) {
          bool seen_keyed = tip.seen_keyed || result.tip.seen_keyed;
          tip = std::move(result.tip);
          tip.seen_keyed = seen_keyed;
          started = true;
        }
        scan = std::move(result.scan);
      } else {
        single_pass = std::make_unique<ChainChecker>(
            context_, started ? ChainChecker::Begins::kAfterTip : ChainChecker::Begins::kTrail,
            tip);
      }
    }
    if (single_pass) scan = scanChunk(chunk, *single_pass, buffer);
    if (!scan.status) return scan.status;
    if (scan.lines_end) {
      segment_lines_end = std::max(segment_lines_end.value_or(0), *scan.lines_end);
    }
    if (scan.broken) break;
    uint64_t lines_end = segment_lines_end.value_or(0);
    uint64_t unfinished = sizes_[chunk.segment] - lines_end;
    if (!chunk.last_in_segment || unfinished == 0) continue;
    const std::string& name = segments_[chunk.segment].name;
    if (chunk.segment + 1 == segments_.size()) {
      report_.notes.push_back(name + " ends with an unfinished line (" +
                              std::to_string(unfinished) +
                              " bytes): a write in progress, or a crash that the daemon repairs "
                              "when it starts");
    } else {
      uint64_t last_seq = single_pass ? single_pass->tip().seq : tip.seq;
      torn = Finding{last_seq + 1, name, lines_end,
                     "an unfinished line in a segment that is not the newest"};
    }
  }
  if (single_pass) {
    absorb(single_pass->findings());
    tip = single_pass->tip();
  }
  if (torn) fail(torn->seq, torn->segment, torn->offset, torn->what);
  return tip.seq;
}

Result<VerifyReport> Verifier::run() {
  RealClock clock;
  MonoTime started = clock.monotonic();
  std::shared_ptr<AuditFs> fs = makePosixAuditFs();
  const std::filesystem::path& dir = trail_.dir;
  ORION_RETURN_IF_ERROR(readHeadAndCheckpoints(*fs));
  Result<std::vector<SegmentInfo>> segments = listSegments(*fs, dir);
  if (!segments) return segments.status();
  segments_ = std::move(segments).value();
  if (segments_.empty() && !head_ && context_.checkpoints.empty()) {
    return notFound("no audit trail in " + dir.string());
  }
  // Open every segment before reading any: one that retention deletes meanwhile stays readable.
  for (const SegmentInfo& info : segments_) {
    Result<std::unique_ptr<AuditFile>> file = fs->openRead(dir / info.name);
    if (!file) return file.status();
    sizes_.push_back((*file)->size());
    report_.bytes += sizes_.back();
    files_.push_back(std::move(file).value());
  }
  report_.segments = segments_.size();
  report_.head_present = head_.has_value();
  if (head_) {
    report_.head_seq = head_->seq;
    report_.head_hash = head_->hash;
    if (keyed_.keyed() && !head_->keyed) report_.notes.push_back("head.json carries no HMAC");
  }
  report_.checkpoint_present = !context_.checkpoints.empty();
  if (!context_.checkpoints.empty()) {
    report_.checkpoint_first_seq = context_.checkpoints.back().first_seq;
  }

  std::vector<Chunk> chunks = planChunks();
  unsigned threads =
      options_.threads > 0 ? options_.threads : std::max(1u, std::thread::hardware_concurrency());
  checkChunks(chunks, static_cast<unsigned>(std::min<size_t>(threads, chunks.size())));
  Result<uint64_t> last_seq = stitch(chunks);
  if (!last_seq) return last_seq.status();
  report_.last_seq = *last_seq;

  // After a failure the head is not compared: the log is not what it claims to be anyway.
  if (!report_.failure && head_) {
    if (head_->seq > report_.last_seq) {
      fail(head_->seq, head_->segment, 0,
           "the head says record " + std::to_string(head_->seq) +
               " was written, but the log ends at seq " + std::to_string(report_.last_seq) +
               ": records were removed from its end");
    } else if (head_->seq >= report_.first_seq && hash_at_head_ && *hash_at_head_ != head_->hash) {
      fail(head_->seq, head_->segment, 0,
           "record " + std::to_string(head_->seq) + " does not have the hash the head recorded");
    }
  }
  if (!head_ && report_.records > 0) {
    report_.notes.push_back("no head.json: a log cut short at its end cannot be detected");
  }
  report_.ok = !report_.failure.has_value();
  report_.seconds = std::chrono::duration<double>(clock.monotonic() - started).count();
  if (progress_) progress_(report_.records, report_.records);
  return report_;
}

}  // namespace

Result<VerifyReport> verifyTrail(const TrailOptions& trail, const VerifyOptions& options,
                                 const Progress& progress) {
  Verifier verifier(trail, options, progress);
  return verifier.run();
}

}  // namespace orion::memory
