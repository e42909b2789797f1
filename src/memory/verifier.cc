// verifyTrail(): the whole trail, record by record, without a JSON parse per record (viewRecord),
// so it runs at the speed of SHA-256 over the bytes.
#include <map>

#include "common/clock.h"
#include "memory/audit_record.h"
#include "memory/memory.h"
#include "memory/segments.h"
#include "memory/trail_files.h"

namespace orion::memory {
namespace {

constexpr uint64_t kProgressEvery = 65536;

class Verifier {
 public:
  Verifier(const TrailOptions& trail, const VerifyOptions& options, const Progress& progress)
      : trail_(trail), options_(options), progress_(progress), keyed_(trail.key) {}

  Result<VerifyReport> run();

 private:
  void fail(uint64_t seq, const std::string& segment, uint64_t offset, std::string what) {
    if (!report_.failure) report_.failure = Finding{seq, segment, offset, std::move(what)};
  }
  // One record; false when the chain cannot be followed past it.
  bool check(std::string_view line, const std::string& segment, uint64_t offset,
             bool first_in_segment, uint64_t segment_first_seq);
  void noteMemoryRecord(std::string_view line, const std::string& segment, uint64_t offset);

  const TrailOptions& trail_;
  const VerifyOptions& options_;
  const Progress& progress_;
  ChainHasher keyed_;
  ChainHasher plain_;
  VerifyReport report_;
  std::vector<Checkpoint> checkpoints_;
  std::optional<Head> head_;
  std::optional<std::string> hash_at_head_;
  uint64_t last_seq_ = 0;
  std::string last_hash_;
  std::string last_recorded_at_;
  bool seen_keyed_ = false;
  bool started_ = false;
};

bool Verifier::check(std::string_view line, const std::string& segment, uint64_t offset,
                     bool first_in_segment, uint64_t segment_first_seq) {
  Result<RecordView> view = viewRecord(line);
  if (!view) {
    fail(last_seq_ + 1, segment, offset, view.status().message());
    return false;
  }
  uint64_t seq = view->seq;
  if (view->keyed && !keyed_.keyed()) {
    fail(seq, segment, offset,
         "the record carries an HMAC: give the trail's key (--key-file or memory.hmac_key_file)");
    return false;
  }
  if (!hashMatches(*view, view->keyed ? keyed_ : plain_)) {
    fail(seq, segment, offset,
         view->keyed ? "its HMAC does not match its content (altered, or another key)"
                     : "its hash does not match its content (the record was altered)");
    return false;
  }
  if (!started_) {
    started_ = true;
    report_.first_seq = seq;
    bool genesis = seq == 1 && view->prev == kGenesisHash;
    bool anchored = false;
    for (const Checkpoint& c : checkpoints_) {
      if (c.first_seq == seq) {
        anchored = c.prev == view->prev && c.first_hash == view->hash;
        if (!anchored) {
          fail(seq, segment, offset,
               "the first record does not match the retention checkpoint "
               "for seq " +
                   std::to_string(seq));
          return false;
        }
      }
    }
    if (!genesis && !anchored) {
      fail(seq, segment, offset,
           "the first record is neither the trail's first (seq 1 after genesis) nor anchored by a "
           "retention checkpoint: the records before it are missing");
      return false;
    }
    if (!checkpoints_.empty() && seq > checkpoints_.back().first_seq) {
      fail(seq, segment, offset,
           "retention kept records from seq " + std::to_string(checkpoints_.back().first_seq) +
               ", but the trail starts at seq " + std::to_string(seq) + ": records are missing");
      return false;
    }
  } else if (seq != last_seq_ + 1 || view->prev != last_hash_) {
    fail(seq, segment, offset,
         seq != last_seq_ + 1
             ? "expected seq " + std::to_string(last_seq_ + 1) + " after seq " +
                   std::to_string(last_seq_) + " (records missing, duplicated or reordered)"
             : "its prev is not the hash of record " + std::to_string(last_seq_) +
                   " (a record before it was replaced)");
    return false;
  }
  if (first_in_segment && seq != segment_first_seq) {
    fail(seq, segment, offset,
         "the segment's name says it starts at seq " + std::to_string(segment_first_seq));
    return false;
  }
  if (view->recorded_at < last_recorded_at_) {
    fail(seq, segment, offset, "recorded_at goes back in time");
    return false;
  }
  if (view->keyed) {
    seen_keyed_ = true;
    ++report_.keyed_records;
  } else if (seen_keyed_) {
    fail(
        seq, segment, offset,
        "the record has no HMAC although earlier ones do (records were rewritten without the key)");
    return false;
  } else if (keyed_.keyed()) {
    ++report_.unauthenticated_records;
  }
  if (view->type.substr(0, 6) == "audit.") noteMemoryRecord(line, segment, offset);
  if (options_.deep) {
    Result<AuditRecord> record = parseRecord(line);
    if (!record) {
      fail(seq, segment, offset, record.status().message());
      return false;
    }
    std::string canonical = dumpJson(record->document);
    if (line.find(",\"document\":" + canonical + (view->keyed ? ",\"hmac\":" : ",\"hash\":")) ==
        std::string_view::npos) {
      fail(seq, segment, offset, "the document is not in canonical form");
      return false;
    }
  }
  if (head_ && seq == head_->seq) hash_at_head_ = std::string(view->hash);
  last_seq_ = seq;
  last_hash_ = std::string(view->hash);
  last_recorded_at_ = std::string(view->recorded_at);
  ++report_.records;
  return true;
}

void Verifier::noteMemoryRecord(std::string_view line, const std::string& segment,
                                uint64_t offset) {
  Result<AuditRecord> record = parseRecord(line);
  if (!record) return;
  const Json& doc = record->document;
  std::string what = record->type + " (" + doc.value("kind", std::string("?")) +
                     "): " + doc.value("reason", doc.value("detail", std::string()));
  if (record->type == record_type::kRetention) {
    what = record->type + ": deleted " + std::to_string(doc.value("deleted_records", 0)) +
           " records before seq " + std::to_string(doc.value("first_seq", 0)) + " (" +
           doc.value("reason", std::string()) + ")";
  }
  report_.repairs.push_back({record->seq, segment, offset, what});
  if (record->type == record_type::kIntegrity) {
    fail(record->seq, segment, offset, "the trail records a loss: " + what);
  }
}

Result<VerifyReport> Verifier::run() {
  RealClock clock;
  MonoTime started = clock.monotonic();
  std::shared_ptr<AuditFs> fs = makePosixAuditFs();
  const std::filesystem::path& dir = trail_.dir;
  // The head first: the daemon rewrites it only after the records it names are durable, so a log
  // read after it holds at least those records.
  Result<std::optional<Head>> head = readHead(*fs, dir, keyed_);
  if (head) {
    head_ = *head;
  } else if (head.status().code() == StatusCode::kDataLoss ||
             head.status().code() == StatusCode::kFailedPrecondition) {
    fail(0, "", 0, head.status().message());
  } else {
    return head.status();
  }
  Result<std::vector<Checkpoint>> checkpoints = readCheckpoints(*fs, dir, keyed_);
  if (checkpoints) {
    checkpoints_ = std::move(checkpoints).value();
  } else if (checkpoints.status().code() == StatusCode::kDataLoss ||
             checkpoints.status().code() == StatusCode::kFailedPrecondition) {
    fail(0, "", 0, checkpoints.status().message());
  } else {
    return checkpoints.status();
  }
  Result<std::vector<SegmentInfo>> segments = listSegments(*fs, dir);
  if (!segments) return segments.status();
  if (segments->empty() && !head_ && checkpoints_.empty()) {
    return notFound("no audit trail in " + dir.string());
  }
  // Open every segment before reading any: one that retention deletes meanwhile stays readable.
  std::vector<std::unique_ptr<AuditFile>> files;
  for (const SegmentInfo& info : *segments) {
    Result<std::unique_ptr<AuditFile>> file = fs->openRead(dir / info.name);
    if (!file) return file.status();
    report_.bytes += (*file)->size();
    files.push_back(std::move(file).value());
  }
  report_.segments = segments->size();
  report_.head_present = head_.has_value();
  if (head_) {
    report_.head_seq = head_->seq;
    report_.head_hash = head_->hash;
    if (keyed_.keyed() && !head_->keyed) report_.notes.push_back("head.json carries no HMAC");
  }
  report_.checkpoint_present = !checkpoints_.empty();
  if (!checkpoints_.empty()) report_.checkpoint_first_seq = checkpoints_.back().first_seq;

  bool broken = false;
  uint64_t bytes_before = 0;  // in the segments already verified
  for (size_t i = 0; i < files.size() && !broken; ++i) {
    const std::string& name = (*segments)[i].name;
    LineScanner lines(*files[i], 0, files[i]->size());
    bool first = true;
    while (true) {
      Result<std::optional<std::string_view>> line = lines.next();
      if (!line) return line.status();
      if (!line->has_value()) break;
      if (!check(**line, name, lines.offset(), first, (*segments)[i].first_seq)) {
        broken = true;
        break;
      }
      first = false;
      if (progress_ && report_.records % kProgressEvery == 0) {
        uint64_t done = bytes_before + lines.position();
        progress_(report_.records, done == 0 ? 0 : report_.records * report_.bytes / done);
      }
    }
    bytes_before += files[i]->size();
    if (!broken && lines.tornBytes() > 0) {
      if (i + 1 == files.size()) {
        report_.notes.push_back(name + " ends with an unfinished line (" +
                                std::to_string(lines.tornBytes()) +
                                " bytes): a write in progress, or a crash that the daemon repairs "
                                "when it starts");
      } else {
        fail(last_seq_ + 1, name, lines.position(),
             "an unfinished line in a segment that is not the newest");
        broken = true;
      }
    }
  }
  report_.last_seq = last_seq_;
  if (!broken && head_) {
    if (head_->seq > last_seq_) {
      fail(head_->seq, head_->segment, 0,
           "the head says record " + std::to_string(head_->seq) +
               " was written, but the log ends "
               "at seq " +
               std::to_string(last_seq_) + ": records were removed from its end");
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
