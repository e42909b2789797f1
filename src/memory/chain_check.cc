#include "memory/chain_check.h"

#include "memory/audit_record.h"

namespace orion::memory {

ChainChecker::ChainChecker(const ChainContext& context, Begins begins, ChainTip tip)
    : context_(context),
      keyed_(context.key),
      plain_(std::nullopt),
      begins_(begins),
      tip_(std::move(tip)) {}

bool ChainChecker::fail(uint64_t seq, const std::string& segment, uint64_t offset,
                        std::string what) {
  if (!findings_.failure) findings_.failure = Finding{seq, segment, offset, std::move(what)};
  return false;
}

std::optional<std::string> ChainChecker::trailStartProblem(uint64_t seq, std::string_view prev,
                                                           std::string_view hash) const {
  bool genesis = seq == 1 && prev == kGenesisHash;
  bool anchored = false;
  for (const Checkpoint& c : context_.checkpoints) {
    if (c.first_seq != seq) continue;
    anchored = c.prev == prev && c.first_hash == hash;
    if (!anchored) {
      return "the first record does not match the retention checkpoint for seq " +
             std::to_string(seq);
    }
  }
  if (!genesis && !anchored) {
    return std::string(
        "the first record is neither the trail's first (seq 1 after genesis) nor anchored by a "
        "retention checkpoint: the records before it are missing");
  }
  if (!context_.checkpoints.empty() && seq > context_.checkpoints.back().first_seq) {
    return "retention kept records from seq " +
           std::to_string(context_.checkpoints.back().first_seq) +
           ", but the trail starts at seq " + std::to_string(seq) + ": records are missing";
  }
  return std::nullopt;
}

bool ChainChecker::check(std::string_view line, const std::string& segment, uint64_t offset,
                         bool first_in_segment, uint64_t segment_first_seq) {
  Result<RecordView> view = viewRecord(line);
  if (!view) {
    // A line that is not a record has no seq of its own: it stands where the next one should.
    uint64_t seq = begins_ == Begins::kUnknown ? 0 : tip_.seq + 1;
    return fail(seq, segment, offset, view.status().message());
  }
  uint64_t seq = view->seq;
  if (view->keyed && !keyed_.keyed()) {
    return fail(
        seq, segment, offset,
        "the record carries an HMAC: give the trail's key (--key-file or memory.hmac_key_file)");
  }
  if (!hashMatches(*view, view->keyed ? keyed_ : plain_)) {
    return fail(seq, segment, offset,
                view->keyed ? "its HMAC does not match its content (altered, or another key)"
                            : "its hash does not match its content (the record was altered)");
  }
  switch (begins_) {
    case Begins::kTrail:
      findings_.first_seq = seq;
      if (std::optional<std::string> problem = trailStartProblem(seq, view->prev, view->hash)) {
        return fail(seq, segment, offset, std::move(*problem));
      }
      break;
    case Begins::kUnknown:
      findings_.start = RunStart{seq, std::string(view->prev), std::string(view->recorded_at)};
      break;
    case Begins::kAfterTip:
      if (seq != tip_.seq + 1) {
        return fail(seq, segment, offset,
                    "expected seq " + std::to_string(tip_.seq + 1) + " after seq " +
                        std::to_string(tip_.seq) + " (records missing, duplicated or reordered)");
      }
      if (view->prev != tip_.hash) {
        return fail(seq, segment, offset,
                    "its prev is not the hash of record " + std::to_string(tip_.seq) +
                        " (a record before it was replaced)");
      }
      break;
  }
  if (first_in_segment && seq != segment_first_seq) {
    return fail(seq, segment, offset,
                "the segment's name says it starts at seq " + std::to_string(segment_first_seq));
  }
  if (begins_ == Begins::kAfterTip && view->recorded_at < tip_.recorded_at) {
    return fail(seq, segment, offset, "recorded_at goes back in time");
  }
  if (view->keyed) {
    tip_.seen_keyed = true;
    ++findings_.keyed_records;
  } else if (tip_.seen_keyed) {
    return fail(seq, segment, offset,
                "the record has no HMAC although earlier ones do (records were rewritten without "
                "the key)");
  } else {
    findings_.any_unkeyed = true;
    if (keyed_.keyed()) ++findings_.unauthenticated_records;
  }
  if (view->type.substr(0, 6) == "audit.") noteMemoryRecord(line, segment, offset);
  if (context_.deep) {
    Result<AuditRecord> record = parseRecord(line);
    if (!record) return fail(seq, segment, offset, record.status().message());
    std::string canonical = dumpJson(record->document);
    if (line.find(",\"document\":" + canonical + (view->keyed ? ",\"hmac\":" : ",\"hash\":")) ==
        std::string_view::npos) {
      return fail(seq, segment, offset, "the document is not in canonical form");
    }
  }
  if (context_.head_seq && seq == *context_.head_seq) {
    findings_.hash_at_head = std::string(view->hash);
  }
  begins_ = Begins::kAfterTip;
  tip_.seq = seq;
  tip_.hash.assign(view->hash);
  tip_.recorded_at.assign(view->recorded_at);
  ++findings_.records;
  return true;
}

void ChainChecker::noteMemoryRecord(std::string_view line, const std::string& segment,
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
  findings_.repairs.push_back({record->seq, segment, offset, what});
  if (record->type == record_type::kIntegrity) {
    fail(record->seq, segment, offset, "the trail records a loss: " + what);
  }
}

}  // namespace orion::memory
