#include "memory/index_catch_up.h"

#include "common/time.h"
#include "memory/audit_record.h"
#include "memory/segments.h"

namespace orion::memory {
namespace {

constexpr size_t kRowsPerTransaction = 8192;
constexpr uint64_t kGuessBytesPerRecord = 400;  // for the progress estimate only

// Where to resume: the segment and offset of the first record after the mark, or std::nullopt
// when the mark does not match the log (the index must start over).
struct Resume {
  size_t segment = 0;
  uint64_t offset = 0;
};

Result<std::optional<Resume>> resumePoint(AuditFs& fs, const std::filesystem::path& dir,
                                          const std::vector<SegmentInfo>& segments,
                                          const AuditIndex::Mark& mark) {
  uint64_t next = mark.seq + 1;
  if (mark.length == 0) {
    // A start mark: the segment that begins with the next record.
    for (size_t i = 0; i < segments.size(); ++i) {
      if (segments[i].first_seq == next) return std::optional<Resume>(Resume{i, 0});
    }
    return std::optional<Resume>();
  }
  for (size_t i = segments.size(); i-- > 0;) {
    if (segments[i].first_seq > mark.seq) continue;
    Result<std::unique_ptr<AuditFile>> file = fs.openRead(dir / segments[i].name);
    if (!file) return file.status();
    Result<std::string> line = (*file)->readAt(mark.offset, mark.length + 1);
    if (!line) return line.status();
    if (line->size() != mark.length + 1 || line->back() != '\n') return std::optional<Resume>();
    Result<RecordView> view = viewRecord(std::string_view(*line).substr(0, mark.length));
    if (!view || view->seq != mark.seq || view->hash != mark.hash) return std::optional<Resume>();
    return std::optional<Resume>(Resume{i, mark.offset + mark.length + 1});
  }
  return std::optional<Resume>();
}

}  // namespace

Result<CatchUpResult> catchUpIndex(AuditIndex& index, AuditFs& fs, const std::filesystem::path& dir,
                                   uint64_t until, const Progress& progress,
                                   const std::atomic<bool>* stop) {
  CatchUpResult result;
  Result<std::vector<SegmentInfo>> segments = listSegments(fs, dir);
  if (!segments) return segments.status();
  Result<AuditIndex::Mark> mark = index.mark();
  if (!mark) return mark.status();
  if (segments->empty()) {
    result.mark = mark->seq;
    return result;
  }

  std::optional<Resume> resume;
  if (mark->started) {
    Result<std::optional<Resume>> found = resumePoint(fs, dir, *segments, *mark);
    if (!found) return found.status();
    resume = *found;
    if (!resume) {
      ORION_RETURN_IF_ERROR(index.clear());
      result.cleared = true;
    }
  }
  if (!resume) {
    // Start at the log's first record.
    Result<std::unique_ptr<AuditFile>> file = fs.openRead(dir / segments->front().name);
    if (!file) return file.status();
    LineScanner lines(**file, 0, (*file)->size());
    Result<std::optional<std::string_view>> first = lines.next();
    if (!first) return first.status();
    if (!first->has_value()) {
      result.mark = 0;
      return result;  // nothing whole to index yet
    }
    Result<RecordView> view = viewRecord(**first);
    if (!view) {
      return Status(StatusCode::kDataLoss, (dir / segments->front().name).string() +
                                               ": byte 0: " + view.status().message());
    }
    ORION_RETURN_IF_ERROR(index.start(view->seq));
    mark = index.mark();
    if (!mark) return mark.status();
    Result<std::optional<Resume>> found = resumePoint(fs, dir, *segments, *mark);
    if (!found) return found.status();
    if (!*found) return internalError("cannot resume indexing at seq " + std::to_string(view->seq));
    resume = *found;
  }
  // Rows of records retention deleted since the index last ran.
  Result<uint64_t> first_indexed = index.firstSeq();
  if (!first_indexed) return first_indexed.status();
  if (*first_indexed < segments->front().first_seq) {
    ORION_RETURN_IF_ERROR(index.dropBefore(segments->front().first_seq));
  }

  uint64_t remaining_bytes = 0;
  std::vector<std::unique_ptr<AuditFile>> files;
  for (size_t i = resume->segment; i < segments->size(); ++i) {
    Result<std::unique_ptr<AuditFile>> file = fs.openRead(dir / (*segments)[i].name);
    if (!file) return file.status();
    remaining_bytes += (*file)->size() - (i == resume->segment ? resume->offset : 0);
    files.push_back(std::move(file).value());
  }
  uint64_t estimate = remaining_bytes / kGuessBytesPerRecord;

  std::vector<IndexRow> rows;
  rows.reserve(kRowsPerTransaction);
  uint64_t last_seq = mark->seq;
  auto flush = [&]() -> Status {
    if (rows.empty()) return Status::ok();
    Result<uint64_t> added = index.add(rows);
    if (!added) return added.status();
    result.indexed += rows.size();
    result.mark = *added;
    rows.clear();
    if (progress) progress(result.indexed, std::max(estimate, result.indexed));
    return Status::ok();
  };
  result.mark = mark->seq;
  for (size_t i = 0; i < files.size(); ++i) {
    const AuditFile& file = *files[i];
    const std::string& name = (*segments)[resume->segment + i].name;
    LineScanner lines(file, i == 0 ? resume->offset : 0, file.size());
    while (true) {
      if (stop != nullptr && stop->load()) {
        ORION_RETURN_IF_ERROR(flush());
        return result;
      }
      Result<std::optional<std::string_view>> line = lines.next();
      if (!line) return line.status();
      if (!line->has_value()) break;
      Result<AuditRecord> record = parseRecord(**line);
      if (!record) {
        return Status(StatusCode::kDataLoss,
                      (dir / name).string() + ": byte " + std::to_string(lines.offset()) + ": " +
                          record.status().message() +
                          "; the index stops before it (run `orion audit verify`)");
      }
      if (record->seq <= last_seq) continue;
      if (record->seq > until) {
        ORION_RETURN_IF_ERROR(flush());
        return result;
      }
      IndexRow row;
      row.seq = record->seq;
      Result<WallTime> at = parseRfc3339(record->recorded_at);
      row.micros = at ? toMicros(*at) : 0;
      row.type = record->type;
      row.offset = lines.offset();
      row.length = static_cast<uint32_t>(record->line.size());
      row.hash = digestFromHex(record->hash).value_or(Digest{});  // viewRecord checked it
      row.fields = indexFieldsOf(record->type, record->document, record->node);
      last_seq = record->seq;
      rows.push_back(std::move(row));
      if (rows.size() >= kRowsPerTransaction) ORION_RETURN_IF_ERROR(flush());
    }
  }
  ORION_RETURN_IF_ERROR(flush());
  return result;
}

}  // namespace orion::memory
