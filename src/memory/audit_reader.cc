// AuditReader and reindexTrail(): the offline side of memory.h, over the index and the log.
#include <algorithm>
#include <deque>
#include <map>
#include <set>
#include <thread>

#include "common/time.h"
#include "memory/audit_file.h"
#include "memory/audit_index.h"
#include "memory/audit_record.h"
#include "memory/index_catch_up.h"
#include "memory/memory.h"
#include "memory/segments.h"

namespace orion::memory {
namespace {

constexpr size_t kPage = 4096;

std::vector<std::string> stringsOf(const Json& document, std::string_view key) {
  std::vector<std::string> out;
  auto it = document.find(key);
  if (it == document.end()) return out;
  if (it->is_string()) out.push_back(it->get<std::string>());
  if (it->is_array()) {
    for (const Json& item : *it) {
      if (item.is_string()) out.push_back(item.get<std::string>());
    }
  }
  return out;
}

void sortUnique(std::vector<AuditRecord>& records) {
  std::sort(records.begin(), records.end(),
            [](const AuditRecord& a, const AuditRecord& b) { return a.seq < b.seq; });
  records.erase(
      std::unique(records.begin(), records.end(),
                  [](const AuditRecord& a, const AuditRecord& b) { return a.seq == b.seq; }),
      records.end());
}

class Reader final : public AuditReader {
 public:
  Reader(TrailOptions trail, std::shared_ptr<AuditFs> fs, std::unique_ptr<AuditIndex> index)
      : trail_(std::move(trail)), fs_(std::move(fs)), index_(std::move(index)) {}

  Status init(const Options& options, bool writable) {
    ORION_RETURN_IF_ERROR(refreshSegments());
    uint64_t mark = 0;
    if (writable && options.catch_up) {
      Result<CatchUpResult> caught =
          catchUpIndex(*index_, *fs_, trail_.dir, UINT64_MAX, options.progress);
      if (!caught) return caught.status().withContext("bringing the index up to the log");
      mark = caught->mark;
    } else {
      Result<AuditIndex::Mark> current = index_->mark();
      if (!current) return current.status();
      mark = current->seq;
    }
    Result<uint64_t> last = lastLogSeq();
    if (!last) return last.status();
    lag_ = *last > mark ? *last - mark : 0;
    return Status::ok();
  }

  uint64_t lag() const override { return lag_; }

  Result<std::vector<AuditRecord>> query(const QueryFilter& filter) override {
    Result<AuditIndex::Selection> selection = selectionOf(filter);
    if (!selection) return selection.status();
    std::vector<AuditRecord> out;
    if (selection->through_seq <= selection->after_seq) return out;
    Result<std::vector<AuditIndex::Hit>> hits = index_->select(*selection);
    if (!hits) return hits.status();
    for (const AuditIndex::Hit& hit : *hits) {
      Result<AuditRecord> record = read(hit);
      if (!record) return record.status();
      out.push_back(std::move(record).value());
    }
    return out;
  }

  Status forEach(const QueryFilter& filter, const std::function<Status(const AuditRecord&)>& sink,
                 const Progress& progress) override {
    Result<AuditIndex::Selection> selection = selectionOf(filter);
    if (!selection) return selection.status();
    selection->limit = kPage;
    selection->newest_first = false;
    Result<AuditIndex::Mark> mark = index_->mark();
    if (!mark) return mark.status();
    uint64_t through = std::min(selection->through_seq, mark->seq);
    uint64_t start = selection->after_seq;
    uint64_t done = 0;
    while (selection->after_seq < through) {
      Result<std::vector<AuditIndex::Hit>> hits = index_->select(*selection);
      if (!hits) return hits.status();
      for (const AuditIndex::Hit& hit : *hits) {
        Result<AuditRecord> record = read(hit);
        if (!record) return record.status();
        ORION_RETURN_IF_ERROR(sink(*record));
        ++done;
      }
      if (progress) {
        // The share of the seq range covered so far, applied to what was found.
        uint64_t covered = (hits->empty() ? through : hits->back().seq) - start;
        uint64_t span = std::max<uint64_t>(through - start, 1);
        progress(done, covered == 0 ? done : done * span / covered);
      }
      if (hits->size() < kPage) break;
      selection->after_seq = hits->back().seq;
    }
    return Status::ok();
  }

  Result<CausalChain> causalChain(std::string_view incident_id) override {
    CausalChain chain;
    std::vector<std::string> event_ids, decision_ids, action_ids;
    Status status = collect(incident_id, [&](const std::string& type, bool own, AuditRecord r) {
      if (type == "incident" && own) {
        for (std::string& id : stringsOf(r.document, "event_ids")) event_ids.push_back(id);
        chain.incidents.push_back(std::move(r));
      } else if (type == "decision") {
        decision_ids.push_back(r.id);
        chain.decisions.push_back(std::move(r));
      } else if (type == "approval_request") {
        chain.approval_requests.push_back(std::move(r));
      }
    });
    ORION_RETURN_IF_ERROR(status);
    if (chain.incidents.empty()) return CausalChain{};
    for (const std::string& id : unique(event_ids)) {
      ORION_RETURN_IF_ERROR(collect(id, [&](const std::string& type, bool own, AuditRecord r) {
        if (type == "event" && own) chain.events.push_back(std::move(r));
      }));
    }
    for (const std::string& id : unique(decision_ids)) {
      ORION_RETURN_IF_ERROR(collect(id, [&](const std::string& type, bool, AuditRecord r) {
        if (type == "approval_request") {
          chain.approval_requests.push_back(std::move(r));
        } else if (type == "approval_decision" || type == "approval") {
          for (std::string& a : stringsOf(r.document, "action_id")) action_ids.push_back(a);
          chain.approvals.push_back(std::move(r));
        } else if (type == "action") {
          action_ids.push_back(r.id);
          chain.actions.push_back(std::move(r));
        }
      }));
    }
    for (const std::string& id : unique(action_ids)) {
      ORION_RETURN_IF_ERROR(collect(id, [&](const std::string& type, bool, AuditRecord r) {
        if (type == "outcome") {
          chain.outcomes.push_back(std::move(r));
        } else if (type == "action") {
          chain.actions.push_back(std::move(r));
        } else if (type == "approval_decision") {
          chain.approvals.push_back(std::move(r));
        }
      }));
    }
    for (auto* part : {&chain.events, &chain.incidents, &chain.decisions, &chain.approval_requests,
                       &chain.approvals, &chain.actions, &chain.outcomes}) {
      sortUnique(*part);
    }
    return chain;
  }

  Result<std::optional<AuditRecord>> latest(std::string_view id) override {
    return readOptional(index_->latestOwn(id));
  }

  Result<std::vector<AuditRecord>> openIncidents() override { return open("incident"); }

  Result<std::optional<AuditRecord>> latestOutcome(std::string_view action_id) override {
    return readOptional(index_->latestReferring(action_id, "outcome"));
  }

  Result<std::vector<AuditRecord>> actionsWithoutOutcome() override { return open("action"); }

  Result<std::vector<AuditRecord>> pendingApprovalRequests(WallTime now) override {
    Result<std::vector<AuditRecord>> requests = open("approval_request");
    if (!requests) return requests.status();
    std::vector<AuditRecord> pending;
    for (AuditRecord& request : *requests) {
      Result<WallTime> expires = parseRfc3339(request.document.value("expires_at", ""));
      if (expires && *expires > now) pending.push_back(std::move(request));
    }
    return pending;
  }

  Result<std::vector<AuditRecord>> last(size_t count) override {
    ORION_RETURN_IF_ERROR(refreshSegments());
    std::deque<AuditRecord> out;
    for (size_t i = segments_.size(); i-- > 0 && out.size() < count;) {
      Result<AuditFile*> file = fileOf(segments_[i].name);
      if (!file) return file.status();
      Result<uint64_t> size = (*file)->currentSize();
      if (!size) return size.status();
      // Offsets of this segment's lines, keeping the last `count - found`.
      std::deque<std::pair<uint64_t, std::string>> lines;
      LineScanner scanner(**file, 0, *size);
      while (true) {
        Result<std::optional<std::string_view>> line = scanner.next();
        if (!line) return line.status();
        if (!line->has_value()) break;
        lines.emplace_back(scanner.offset(), std::string(**line));
        if (lines.size() > count - out.size()) lines.pop_front();
      }
      for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
        Result<AuditRecord> record = parseAt(segments_[i].name, it->first, it->second);
        if (!record) return record.status();
        out.push_front(std::move(record).value());
      }
    }
    return std::vector<AuditRecord>(std::make_move_iterator(out.begin()),
                                    std::make_move_iterator(out.end()));
  }

  Status follow(uint64_t after_seq, const std::function<bool(const AuditRecord&)>& sink,
                const std::atomic<bool>& stop, Duration poll) override {
    ORION_RETURN_IF_ERROR(refreshSegments());
    size_t current = 0;
    for (size_t i = 0; i < segments_.size(); ++i) {
      if (segments_[i].first_seq <= after_seq + 1) current = i;
    }
    uint64_t offset = 0;
    while (!stop.load()) {
      if (segments_.empty()) {
        if (!pause(stop, poll)) break;
        ORION_RETURN_IF_ERROR(refreshSegments());
        continue;
      }
      const std::string name = segments_[current].name;
      Result<AuditFile*> file = fileOf(name);
      if (!file) return file.status();
      Result<uint64_t> size = (*file)->currentSize();
      if (!size) return size.status();
      LineScanner lines(**file, offset, *size);
      bool any = false;
      while (true) {
        Result<std::optional<std::string_view>> line = lines.next();
        if (!line) return line.status();
        if (!line->has_value()) break;
        any = true;
        Result<RecordView> view = viewRecord(**line);
        if (view && view->seq <= after_seq) continue;
        Result<AuditRecord> record = parseAt(name, lines.offset(), **line);
        if (!record) return record.status();
        after_seq = record->seq;
        if (!sink(*record)) return Status::ok();
      }
      offset = lines.position();
      if (any) continue;
      // Nothing new here. A newer segment means this one is finished once read to its end again.
      ORION_RETURN_IF_ERROR(refreshSegments());
      auto it = std::find_if(segments_.begin(), segments_.end(),
                             [&](const SegmentInfo& s) { return s.name == name; });
      size_t position = static_cast<size_t>(it - segments_.begin());
      if (it != segments_.end() && position + 1 < segments_.size()) {
        Result<uint64_t> now = (*file)->currentSize();
        if (!now) return now.status();
        if (*now > offset) continue;  // its last lines, written just before the rotation
        current = position + 1;
        offset = 0;
        continue;
      }
      if (it == segments_.end()) {  // deleted by retention: go on from the oldest left
        current = 0;
        offset = 0;
        continue;
      }
      current = position;
      if (!pause(stop, poll)) break;
    }
    return Status::ok();
  }

 private:
  using Visit = std::function<void(const std::string& type, bool own, AuditRecord record)>;

  static std::vector<std::string> unique(std::vector<std::string> ids) {
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    ids.erase(std::remove(ids.begin(), ids.end(), std::string()), ids.end());
    return ids;
  }

  // Sleeps `poll` in short steps; false when `stop` was set meanwhile.
  static bool pause(const std::atomic<bool>& stop, Duration poll) {
    Duration slept{0};
    constexpr Duration kStep = std::chrono::milliseconds(20);
    while (slept < poll) {
      if (stop.load()) return false;
      std::this_thread::sleep_for(std::min(kStep, poll - slept));
      slept += kStep;
    }
    return !stop.load();
  }

  Status collect(std::string_view id, const Visit& visit) {
    Result<std::vector<AuditIndex::TypedHit>> hits = index_->carrying(id);
    if (!hits) return hits.status();
    for (const AuditIndex::TypedHit& hit : *hits) {
      Result<AuditRecord> record = read(hit.hit);
      if (!record) return record.status();
      visit(hit.type, hit.own, std::move(record).value());
    }
    return Status::ok();
  }

  Result<std::vector<AuditRecord>> open(std::string_view type) {
    Result<std::vector<AuditIndex::Hit>> hits = index_->openEntities(type);
    if (!hits) return hits.status();
    std::vector<AuditRecord> out;
    for (const AuditIndex::Hit& hit : *hits) {
      Result<AuditRecord> record = read(hit);
      if (!record) return record.status();
      out.push_back(std::move(record).value());
    }
    return out;
  }

  Result<std::optional<AuditRecord>> readOptional(Result<std::optional<AuditIndex::Hit>> hit) {
    if (!hit) return hit.status();
    if (!hit->has_value()) return std::optional<AuditRecord>();
    Result<AuditRecord> record = read(**hit);
    if (!record) return record.status();
    return std::optional<AuditRecord>(std::move(record).value());
  }

  Result<AuditIndex::Selection> selectionOf(const QueryFilter& filter) {
    AuditIndex::Selection selection;
    selection.after_seq = filter.after_seq;
    if (filter.since) {
      Result<std::optional<uint64_t>> first = index_->firstSeqAtOrAfter(toMicros(*filter.since));
      if (!first) return first.status();
      if (!first->has_value()) {
        selection.through_seq = 0;  // nothing that recent
        return selection;
      }
      selection.after_seq = std::max(selection.after_seq, **first - 1);
    }
    if (filter.until) {
      Result<std::optional<uint64_t>> first = index_->firstSeqAtOrAfter(toMicros(*filter.until));
      if (!first) return first.status();
      if (first->has_value()) selection.through_seq = **first - 1;
    }
    if (filter.before_seq > 0) {
      selection.through_seq = std::min(selection.through_seq, filter.before_seq - 1);
    }
    selection.types = filter.types;
    selection.carrying = filter.carrying;
    selection.current_versions = filter.current_versions;
    selection.closed = filter.closed;
    selection.node = filter.node;
    selection.service = filter.service;
    selection.limit = filter.limit;
    selection.newest_first = filter.newest_first;
    return selection;
  }

  Status refreshSegments() {
    Result<std::vector<SegmentInfo>> segments = listSegments(*fs_, trail_.dir);
    if (!segments) return segments.status();
    segments_ = std::move(segments).value();
    return Status::ok();
  }

  Result<uint64_t> lastLogSeq() {
    for (size_t i = segments_.size(); i-- > 0;) {
      Result<AuditFile*> file = fileOf(segments_[i].name);
      if (!file) return file.status();
      Result<std::optional<LastLine>> line = readLastLine(**file, (*file)->size());
      if (!line) return line.status();
      if (!line->has_value()) continue;
      Result<RecordView> view = viewRecord((*line)->text);
      if (view) return view->seq;
    }
    return uint64_t{0};
  }

  Result<AuditFile*> fileOf(const std::string& name) {
    auto it = files_.find(name);
    if (it != files_.end()) return it->second.get();
    Result<std::unique_ptr<AuditFile>> file = fs_->openRead(trail_.dir / name);
    if (!file) return file.status();
    AuditFile* raw = file->get();
    files_.emplace(name, std::move(file).value());
    return raw;
  }

  Result<AuditRecord> parseAt(const std::string& segment, uint64_t offset, std::string_view line) {
    Result<AuditRecord> record = parseRecord(line);
    if (!record) {
      return record.status().withContext((trail_.dir / segment).string() + ": byte " +
                                         std::to_string(offset));
    }
    record->segment = segment;
    record->offset = offset;
    return record;
  }

  // The record an index hit points at, checked to be the one the index means.
  Result<AuditRecord> read(const AuditIndex::Hit& hit) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      const SegmentInfo* segment = nullptr;
      for (const SegmentInfo& s : segments_) {
        if (s.first_seq <= hit.seq) segment = &s;
      }
      if (segment != nullptr) {
        Result<AuditFile*> file = fileOf(segment->name);
        if (file) {
          Result<std::string> line = (*file)->readAt(hit.offset, hit.length);
          if (!line) return line.status();
          Result<AuditRecord> record = parseAt(segment->name, hit.offset, *line);
          if (record && record->seq == hit.seq) return record;
        }
      }
      ORION_RETURN_IF_ERROR(refreshSegments());  // rotated or retained since
    }
    return Status(StatusCode::kDataLoss,
                  "the index does not match the log at seq " + std::to_string(hit.seq) +
                      " (was the trail replaced or edited?); run `orion audit reindex`");
  }

  TrailOptions trail_;
  std::shared_ptr<AuditFs> fs_;
  std::unique_ptr<AuditIndex> index_;
  std::vector<SegmentInfo> segments_;
  std::map<std::string, std::unique_ptr<AuditFile>> files_;
  uint64_t lag_ = 0;
};

// The index, read-write when the directory allows it (so it can catch up), else read-only.
Result<std::pair<std::unique_ptr<AuditIndex>, bool>> openIndex(const std::filesystem::path& dir) {
  Result<std::unique_ptr<AuditIndex>> index = AuditIndex::open(dir / kIndexFile, false);
  if (index) return std::pair{std::move(index).value(), true};
  if (index.status().code() != StatusCode::kPermissionDenied) return index.status();
  Result<std::unique_ptr<AuditIndex>> read_only = AuditIndex::open(dir / kIndexFile, true);
  if (!read_only) return index.status();
  return std::pair{std::move(read_only).value(), false};
}

}  // namespace

Result<std::unique_ptr<AuditReader>> AuditReader::open(const TrailOptions& trail, Options options) {
  std::shared_ptr<AuditFs> fs = makePosixAuditFs();
  Result<std::vector<SegmentInfo>> segments = listSegments(*fs, trail.dir);
  if (!segments) return segments.status();
  if (segments->empty()) return notFound("no audit trail in " + trail.dir.string());
  Result<std::pair<std::unique_ptr<AuditIndex>, bool>> index = openIndex(trail.dir);
  if (!index) return index.status();
  auto reader = std::make_unique<Reader>(trail, fs, std::move(index->first));
  ORION_RETURN_IF_ERROR(reader->init(options, index->second));
  return std::unique_ptr<AuditReader>(std::move(reader));
}

Result<ReindexReport> reindexTrail(const TrailOptions& trail, const Progress& progress) {
  RealClock clock;
  MonoTime started = clock.monotonic();
  std::shared_ptr<AuditFs> fs = makePosixAuditFs();
  Result<std::vector<SegmentInfo>> segments = listSegments(*fs, trail.dir);
  if (!segments) return segments.status();
  if (segments->empty()) return notFound("no audit trail in " + trail.dir.string());
  Result<std::unique_ptr<AuditIndex>> index = AuditIndex::open(trail.dir / kIndexFile, false);
  if (!index) return index.status();
  ORION_RETURN_IF_ERROR((*index)->clear());
  Result<CatchUpResult> caught = catchUpIndex(**index, *fs, trail.dir, UINT64_MAX, progress);
  if (!caught) return caught.status();
  ORION_RETURN_IF_ERROR((*index)->checkpoint());
  ReindexReport report;
  report.records = caught->indexed;
  report.index_bytes = (*index)->sizeBytes();
  report.seconds = std::chrono::duration<double>(clock.monotonic() - started).count();
  return report;
}

}  // namespace orion::memory
