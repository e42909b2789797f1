// The SQLite index of the audit trail (docs/audit_log_format.md, "Index"): one row per record
// (seq, recorded_at, type, node, service, where its line is), the ids each record carries or
// refers to, and the current state of the entities the reconciliation queries follow. WAL mode:
// readers (`orion audit query`) and the daemon's indexer work on it at the same time.
//
// The index is derived data. It covers a contiguous range of seqs ending at its mark (the last
// record indexed, with that record's hash, so a log that changed under it is noticed); add()
// only ever extends that range, so two writers (the daemon and a catching-up reader) can both
// add the same records without harm. Everything in it can be rebuilt from the log.
//
// An AuditIndex is used by one thread at a time.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "memory/index_fields.h"
#include "memory/sqlite_db.h"

namespace orion::memory {

class AuditIndex {
 public:
  // Opens (read-write: creates) the index. kDataLoss when the file is not an audit index.
  static Result<std::unique_ptr<AuditIndex>> open(const std::filesystem::path& file,
                                                  bool read_only);

  // The last record indexed and where it is, to resume from the log. Before any record is
  // indexed, start() sets it to just before the log's first record (length 0: "the start of
  // the segment holding seq + 1"); an index never started has started = false.
  struct Mark {
    bool started = false;
    uint64_t seq = 0;
    std::string hash;
    uint64_t offset = 0;
    uint32_t length = 0;
  };
  Result<Mark> mark();
  // Starts an empty index at the log's first record `first_seq`; a no-op when already started
  // (another process may have done it).
  Status start(uint64_t first_seq);
  // The oldest seq indexed (retention deletes below it); 0 when empty.
  Result<uint64_t> firstSeq();

  // Adds `rows` (ascending seqs) in one transaction. Rows at or below the mark are skipped; when
  // the first new row does not follow the mark (or the index was never started), nothing is
  // added and the result is kFailedPrecondition: the caller catches up from the log. Returns the
  // new mark's seq.
  Result<uint64_t> add(const std::vector<IndexRow>& rows);
  // Removes the rows of records before `first_seq` (deleted by retention).
  Status dropBefore(uint64_t first_seq);
  // Removes everything (reindex).
  Status clear();
  // Bytes of the database file (and its WAL).
  uint64_t sizeBytes() const;
  // Moves the WAL's pages into the database file and empties the WAL.
  Status checkpoint();

  // Where a record is.
  struct Hit {
    uint64_t seq = 0;
    uint64_t offset = 0;
    uint32_t length = 0;
  };
  struct Selection {
    uint64_t after_seq = 0;             // seq > after_seq
    uint64_t through_seq = UINT64_MAX;  // seq <= through_seq
    std::vector<std::string> types;
    std::optional<std::string> node;
    std::optional<std::string> service;
    size_t limit = 0;  // 0: no limit
    bool newest_first = false;
    std::optional<std::string> carrying;  // the id, as given (encoded by select())
    bool current_versions = false;        // only the entities' newest records
    std::optional<bool> closed;           // with current_versions: closed or open entities only
  };
  Result<std::vector<Hit>> select(const Selection& selection);
  // The first seq recorded at or after `micros` (recorded_at never decreases along the trail, so
  // a binary search over seqs finds it); std::nullopt when every record is older.
  Result<std::optional<uint64_t>> firstSeqAtOrAfter(int64_t micros);
  // Every record carrying `id`, as its own id or a reference, ascending; with its type.
  struct TypedHit {
    Hit hit;
    std::string type;
    bool own = false;
  };
  Result<std::vector<TypedHit>> carrying(std::string_view id);
  // The newest record whose own id is `id`.
  Result<std::optional<Hit>> latestOwn(std::string_view id);
  // The newest record of `type` referring to `id`.
  Result<std::optional<Hit>> latestReferring(std::string_view id, std::string_view type);
  // The newest record of every open entity of `type` (incident, action, approval_request).
  Result<std::vector<Hit>> openEntities(std::string_view type);

 private:
  explicit AuditIndex(std::unique_ptr<SqliteDb> db, bool read_only)
      : db_(std::move(db)), read_only_(read_only) {}
  Status prepareStatements();
  Result<int64_t> nameId(std::string_view name);                   // creating it
  Result<std::optional<int64_t>> findName(std::string_view name);  // without creating
  Status setMark(const Mark& mark);
  Result<std::optional<Hit>> single(Statement& statement);

  std::unique_ptr<SqliteDb> db_;
  bool read_only_;
  std::map<std::string, int64_t, std::less<>> names_;
  Statement insert_record_, insert_id_, upsert_entity_, close_entity_, insert_name_, find_name_,
      get_meta_, set_meta_, at_of_, carrying_, latest_own_, latest_referring_, open_entities_;
};

// The bytes an id is stored as: a UUID as its 16 bytes, anything else as 0x01 + its text.
std::string encodeId(std::string_view id);

}  // namespace orion::memory
