#include "memory/trail_recovery.h"

#include <deque>

#include "common/ids.h"
#include "common/time.h"
#include "memory/audit_record.h"
#include "memory/segments.h"

namespace orion::memory {
namespace {

int64_t microsOf(std::string_view recorded_at) {
  Result<WallTime> at = parseRfc3339(recorded_at);
  return at ? toMicros(*at) : 0;
}

// One pass over a segment: the longest prefix of whole records that verify and follow each
// other, and where (and why) it ends.
struct Scan {
  uint64_t valid_end = 0;  // byte offset after the last good record
  uint64_t records = 0;
  uint64_t first_seq = 0;
  uint64_t tip_seq = 0;
  std::string tip_hash;
  int64_t first_micros = 0;
  bool tip_keyed = false;
  std::deque<std::pair<RecordKey, uint64_t>> keys;  // the last `window` records' keys
  std::optional<uint64_t> bad_offset;               // a complete line that is not good
  std::string bad_reason;
  uint64_t torn = 0;                 // an unfinished last line
  std::optional<std::string> found;  // the hash of record `want_seq`, if seen
};

Result<Scan> scanSegment(const AuditFile& file, const ChainHasher& keyed, const ChainHasher& plain,
                         size_t window, uint64_t want_seq) {
  Scan scan;
  LineScanner lines(file, 0, file.size());
  while (true) {
    Result<std::optional<std::string_view>> next = lines.next();
    if (!next) return next.status();
    if (!next->has_value()) break;
    std::string_view line = **next;
    Result<RecordView> view = viewRecord(line);
    std::string reason;
    if (!view) {
      reason = view.status().message();
    } else if (view->keyed && !keyed.keyed()) {
      return failedPrecondition(file.path().string() + ": the trail is protected by an HMAC key " +
                                "(record " + std::to_string(view->seq) +
                                "); configure memory.hmac_key_file to write or read it");
    } else if (!hashMatches(*view, view->keyed ? keyed : plain)) {
      reason = "its " + std::string(view->keyed ? "HMAC" : "hash") + " does not match its content";
    } else if (scan.records > 0 && (view->seq != scan.tip_seq + 1 || view->prev != scan.tip_hash)) {
      reason = "it does not follow record " + std::to_string(scan.tip_seq);
    }
    if (!reason.empty()) {
      scan.bad_offset = lines.offset();
      scan.bad_reason = std::move(reason);
      return scan;
    }
    if (scan.records == 0) {
      scan.first_seq = view->seq;
      scan.first_micros = microsOf(view->recorded_at);
    }
    ++scan.records;
    scan.tip_seq = view->seq;
    scan.tip_hash = std::string(view->hash);
    scan.tip_keyed = view->keyed;
    scan.valid_end = lines.position();
    if (view->seq == want_seq) scan.found = scan.tip_hash;
    if (window > 0) {
      Result<std::string> id = decodeToken(view->id);
      Result<std::string> entry = decodeToken(view->entry_id);
      Result<std::string> type = decodeToken(view->type);
      if (id && entry && type) {
        scan.keys.emplace_back(recordKey(*type, *id, *entry, view->document), view->seq);
      }
      if (scan.keys.size() > window) scan.keys.pop_front();
    }
  }
  scan.torn = lines.tornBytes();
  return scan;
}

Json notice(std::string_view id_field, std::string_view now, Json fields) {
  fields["version"] = "1.0";
  fields[std::string(id_field)] = newUuid();
  fields["timestamp"] = std::string(now);
  return fields;
}

// The chain value a segment's first record must follow when there is nothing before it in the
// directory: a retention checkpoint for that seq, else genesis.
std::pair<uint64_t, std::string> anchorBefore(uint64_t first_seq,
                                              const std::vector<Checkpoint>& checkpoints) {
  for (auto it = checkpoints.rbegin(); it != checkpoints.rend(); ++it) {
    if (it->first_seq == first_seq) return {first_seq - 1, it->prev};
  }
  return {0, std::string(kGenesisHash)};
}

Status quarantine(AuditFs& fs, const std::filesystem::path& dir, const AuditFile& file,
                  const std::string& segment, uint64_t from, std::string& saved_as,
                  std::string& digest) {
  Result<std::string> bytes = file.readAt(from, static_cast<size_t>(file.size() - from));
  if (!bytes) return bytes.status();
  digest = hexDigest(ChainHasher::sha256(*bytes));
  ORION_RETURN_IF_ERROR(fs.makeDirectories(dir / kRepairsDir));
  saved_as = std::string(kRepairsDir) + "/" + segment + "." + std::to_string(from) + ".torn";
  return fs.writeAtomic(dir / saved_as, *bytes, /*durable=*/true);
}

}  // namespace

Result<RecoveredTrail> recoverTrail(AuditFs& fs, const RecoveryOptions& options,
                                    const ChainHasher& keyed, const ChainHasher& plain) {
  const std::filesystem::path& dir = options.dir;
  RecoveredTrail out;
  out.tip_hash = std::string(kGenesisHash);
  Result<std::vector<SegmentInfo>> listed = listSegments(fs, dir);
  if (!listed) return listed.status();
  Result<std::vector<Checkpoint>> checkpoints = readCheckpoints(fs, dir, keyed);
  if (!checkpoints) return checkpoints.status().withContext("reading the checkpoints");

  std::optional<Head> head;
  std::string head_problem;
  if (Result<std::optional<Head>> read = readHead(fs, dir, keyed); read) {
    head = *read;
  } else if (read.status().code() == StatusCode::kDataLoss) {
    head_problem = read.status().message();
  } else {
    return read.status();
  }

  for (const SegmentInfo& info : *listed) {
    Result<std::unique_ptr<AuditFile>> file = fs.openRead(dir / info.name);
    if (!file) return file.status();
    out.segments.push_back({info.name, info.first_seq, (*file)->size()});
  }

  std::optional<Scan> last_scan;
  if (!out.segments.empty()) {
    SegmentState& last = out.segments.back();
    Result<std::unique_ptr<AuditFile>> file = fs.openAppend(dir / last.name);
    if (!file) return file.status();
    out.active = std::move(file).value();
    Result<Scan> scan =
        scanSegment(*out.active, keyed, plain, options.window, head ? head->seq : 0);
    if (!scan) return scan.status();
    if (scan->bad_offset || scan->torn > 0) {
      uint64_t cut = scan->valid_end;
      // The head is written only after the records it names are durable, and a crash cannot tear
      // durable bytes: damage before the head is not a torn write.
      bool durable_after_cut = head && head->seq >= last.first_seq && head->seq > scan->tip_seq;
      if (durable_after_cut) {
        std::string what =
            scan->bad_offset ? "is damaged (" + scan->bad_reason + ")" : "is unfinished";
        return Status(StatusCode::kDataLoss,
                      (dir / last.name).string() + ": the record at byte " + std::to_string(cut) +
                          " " + what + ", yet the head says records up to " +
                          std::to_string(head->seq) +
                          " were durable; this is not a torn write, so it is not repaired " +
                          "automatically. Run `orion audit verify` and see " +
                          "docs/audit_log_format.md (Repairs)");
      }
      std::string saved_as, digest;
      ORION_RETURN_IF_ERROR(quarantine(fs, dir, *out.active, last.name, cut, saved_as, digest));
      uint64_t removed = out.active->size() - cut;
      ORION_RETURN_IF_ERROR(out.active->truncate(cut));
      ORION_RETURN_IF_ERROR(out.active->sync());
      out.torn_bytes = removed;
      last.bytes = cut;
      std::string kind = scan->bad_offset ? "damaged_tail" : "torn_tail";
      std::string why = scan->bad_offset ? "the record at byte " + std::to_string(cut) +
                                               " is damaged: " + scan->bad_reason
                                         : "the last line was unfinished (a crash during a write)";
      out.notices.emplace_back(
          std::string(record_type::kRepair),
          notice("repair_id", options.now,
                 {{"kind", kind},
                  {"segment", last.name},
                  {"offset", cut},
                  {"bytes_removed", removed},
                  {"removed_sha256", digest},
                  {"quarantine", saved_as},
                  {"after_seq", scan->tip_seq},
                  {"reason", why + "; the bytes after the last whole record were removed"}}));
    }
    last_scan = std::move(scan).value();
  }

  // The tip: the newest segment's last good record, else the record before it.
  if (last_scan && last_scan->records > 0) {
    out.tip_seq = last_scan->tip_seq;
    out.tip_hash = last_scan->tip_hash;
    out.keyed_tail = last_scan->tip_keyed;
    out.active_day = utcDayOf(last_scan->first_micros);
  } else if (out.segments.size() >= 2) {
    const SegmentState& before = out.segments[out.segments.size() - 2];
    Result<std::unique_ptr<AuditFile>> file = fs.openRead(dir / before.name);
    if (!file) return file.status();
    Result<std::optional<LastLine>> line = readLastLine(**file, (*file)->size());
    if (!line) return line.status();
    if (line->has_value()) {
      Result<RecordView> view = viewRecord((*line)->text);
      if (!view) return view.status().withContext((dir / before.name).string());
      out.tip_seq = view->seq;
      out.tip_hash = std::string(view->hash);
      out.keyed_tail = view->keyed;
    }
  } else if (!out.segments.empty()) {
    auto [seq, hash] = anchorBefore(out.segments.back().first_seq, *checkpoints);
    out.tip_seq = seq;
    out.tip_hash = hash;
  } else if (!checkpoints->empty()) {
    out.tip_seq = checkpoints->back().first_seq - 1;
    out.tip_hash = checkpoints->back().prev;
  }
  if (out.tip_seq > 0) {
    // The tip's time, so recorded_at never goes back across a restart.
    for (auto it = out.segments.rbegin(); it != out.segments.rend(); ++it) {
      Result<std::unique_ptr<AuditFile>> file = fs.openRead(dir / it->name);
      if (!file) return file.status();
      Result<std::optional<LastLine>> line = readLastLine(**file, (*file)->size());
      if (!line) return line.status();
      if (!line->has_value()) continue;
      if (Result<RecordView> view = viewRecord((*line)->text); view) {
        out.tip_micros = microsOf(view->recorded_at);
      }
      break;
    }
  }

  // The duplicate window: the newest segment's keys, topped up from the one before it.
  if (last_scan) {
    std::deque<std::pair<RecordKey, uint64_t>> keys = std::move(last_scan->keys);
    if (keys.size() < options.window && out.segments.size() >= 2) {
      const SegmentState& before = out.segments[out.segments.size() - 2];
      Result<std::unique_ptr<AuditFile>> file = fs.openRead(dir / before.name);
      if (!file) return file.status();
      Result<Scan> scan = scanSegment(**file, keyed, plain, options.window - keys.size(), 0);
      if (!scan) return scan.status();
      for (auto it = scan->keys.rbegin(); it != scan->keys.rend(); ++it) keys.push_front(*it);
    }
    out.recent.assign(std::make_move_iterator(keys.begin()), std::make_move_iterator(keys.end()));
  }

  // Compare with the head: a log that ends before it, or disagrees with it, lost records.
  auto integrity = [&](std::string kind, std::string detail, Json extra = Json::object()) {
    extra["kind"] = std::move(kind);
    extra["detail"] = std::move(detail);
    extra["log_last_seq"] = out.tip_seq;
    extra["log_last_hash"] = out.tip_hash;
    out.notices.emplace_back(std::string(record_type::kIntegrity),
                             notice("integrity_id", options.now, std::move(extra)));
  };
  if (!head_problem.empty()) {
    integrity("head_unreadable", head_problem);
  } else if (!head && out.tip_seq > 0) {
    integrity("head_missing", "head.json is missing although the log holds records");
  } else if (head && head->seq > out.tip_seq) {
    integrity("truncated",
              "the head says record " + std::to_string(head->seq) + " was durable, but the log " +
                  "ends at record " + std::to_string(out.tip_seq) + ": records " +
                  std::to_string(out.tip_seq + 1) + " to " + std::to_string(head->seq) +
                  " are missing",
              {{"head_seq", head->seq}, {"head_hash", head->hash}});
  } else if (head && head->seq > 0) {
    std::optional<std::string> found;
    if (head->seq == out.tip_seq) {
      found = out.tip_hash;
    } else if (last_scan && last_scan->found) {
      found = last_scan->found;
    } else if (out.segments.size() >= 2) {
      const SegmentState& before = out.segments[out.segments.size() - 2];
      Result<std::unique_ptr<AuditFile>> file = fs.openRead(dir / before.name);
      if (!file) return file.status();
      Result<Scan> scan = scanSegment(**file, keyed, plain, 0, head->seq);
      if (!scan) return scan.status();
      found = scan->found;
    }
    if (found && *found != head->hash) {
      integrity("head_mismatch",
                "record " + std::to_string(head->seq) + " does not have the hash the head " +
                    "recorded: the log was rewritten after it was durable",
                {{"head_seq", head->seq}, {"head_hash", head->hash}, {"log_hash", *found}});
    }
  }
  return out;
}

}  // namespace orion::memory
