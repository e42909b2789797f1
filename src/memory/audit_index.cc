#include "memory/audit_index.h"

#include <sys/stat.h>

#include <array>

#include "common/ids.h"

namespace orion::memory {
namespace {

// "ORIA": marks a database as an audit index.
constexpr int64_t kApplicationId = 0x4F524941;
constexpr int64_t kSchemaVersion = 1;

// Integers for sizes, names as small integers (a record's type, node and service are a byte or
// two each), ids as 16-byte blobs: about a hundred bytes per record in all.
constexpr std::string_view kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS names(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS records(
  seq INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  type INTEGER NOT NULL,
  node INTEGER NOT NULL,
  service INTEGER,
  offset INTEGER NOT NULL,
  length INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS records_by_type ON records(type);
CREATE INDEX IF NOT EXISTS records_by_node ON records(node);
CREATE INDEX IF NOT EXISTS records_by_service ON records(service) WHERE service IS NOT NULL;
CREATE TABLE IF NOT EXISTS ids(
  id BLOB NOT NULL,
  seq INTEGER NOT NULL,
  own INTEGER NOT NULL,
  PRIMARY KEY(id, seq)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS entities(
  id BLOB PRIMARY KEY,
  type INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  closed INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS entities_open ON entities(type, closed);
CREATE INDEX IF NOT EXISTS entities_by_seq ON entities(type, seq);
)sql";

uint64_t fileSize(const std::filesystem::path& file) {
  struct stat st {};
  return ::stat(file.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

}  // namespace

std::string encodeId(std::string_view id) {
  if (std::optional<std::array<uint8_t, 16>> bytes = uuidBytes(id)) {
    return std::string(reinterpret_cast<const char*>(bytes->data()), bytes->size());
  }
  return "\x01" + std::string(id);
}

Result<std::unique_ptr<AuditIndex>> AuditIndex::open(const std::filesystem::path& file,
                                                     bool read_only) {
  Result<std::unique_ptr<SqliteDb>> db = SqliteDb::open(file, read_only, /*busy_ms=*/5000);
  if (!db) return db.status();
  std::unique_ptr<AuditIndex> index(new AuditIndex(std::move(db).value(), read_only));
  SqliteDb& d = *index->db_;
  int64_t id = 0;
  {
    // Scoped: the statement's read transaction must end before the journal mode can change.
    Result<Statement> app = d.prepare("PRAGMA application_id");
    if (!app) return app.status();
    Result<bool> row = app->step();
    if (!row) return row.status();
    id = *row ? app->columnInt(0) : 0;
  }
  if (id != 0 && id != kApplicationId) {
    return Status(StatusCode::kDataLoss, file.string() + " is not an audit index");
  }
  if (!read_only) {
    // WAL: readers never block the writer. synchronous=NORMAL: a commit survives a process crash;
    // after a power loss the index may lose its last commits, which catching up from the log
    // restores.
    ORION_RETURN_IF_ERROR(d.exec("PRAGMA journal_mode=WAL"));
    ORION_RETURN_IF_ERROR(d.exec("PRAGMA synchronous=NORMAL"));
    ORION_RETURN_IF_ERROR(d.exec("PRAGMA cache_size=-16384"));  // 16 MiB at most
    ORION_RETURN_IF_ERROR(d.exec(kSchema));
    if (id == 0) {
      ORION_RETURN_IF_ERROR(d.exec("PRAGMA application_id=" + std::to_string(kApplicationId) +
                                   "; PRAGMA user_version=" + std::to_string(kSchemaVersion)));
    }
  }
  ORION_RETURN_IF_ERROR(index->prepareStatements());
  return index;
}

Status AuditIndex::prepareStatements() {
  struct Item {
    Statement* statement;
    const char* sql;
  };
  // A read-only index prepares only what reads.
  std::vector<Item> items = {
      {&find_name_, "SELECT id FROM names WHERE name = ?1"},
      {&get_meta_, "SELECT value FROM meta WHERE key = ?1"},
      {&at_of_, "SELECT seq, at FROM records WHERE seq >= ?1 ORDER BY seq LIMIT 1"},
      {&carrying_,
       "SELECT i.seq, i.own, r.offset, r.length, n.name FROM ids i JOIN records r ON r.seq = i.seq "
       "JOIN names n ON n.id = r.type WHERE i.id = ?1 ORDER BY i.seq"},
      {&latest_own_,
       "SELECT r.seq, r.offset, r.length FROM ids i JOIN records r ON r.seq = i.seq "
       "WHERE i.id = ?1 AND i.own = 1 ORDER BY i.seq DESC LIMIT 1"},
      {&latest_referring_,
       "SELECT r.seq, r.offset, r.length FROM ids i JOIN records r ON r.seq = i.seq "
       "WHERE i.id = ?1 AND i.own = 0 AND r.type = ?2 ORDER BY i.seq DESC LIMIT 1"},
      {&open_entities_,
       "SELECT r.seq, r.offset, r.length FROM entities e JOIN records r ON r.seq = e.seq "
       "WHERE e.type = ?1 AND e.closed = 0 ORDER BY e.seq"},
  };
  if (!read_only_) {
    std::vector<Item> writes = {
        {&insert_record_,
         "INSERT OR IGNORE INTO records(seq, at, type, node, service, offset, length) "
         "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)"},
        {&insert_id_, "INSERT OR IGNORE INTO ids(id, seq, own) VALUES(?1, ?2, ?3)"},
        {&upsert_entity_,
         "INSERT INTO entities(id, type, seq, closed) VALUES(?1, ?2, ?3, ?4) ON CONFLICT(id) DO "
         "UPDATE SET seq = max(seq, excluded.seq), closed = max(closed, excluded.closed)"},
        {&close_entity_, "UPDATE entities SET closed = 1 WHERE id = ?1"},
        {&insert_name_, "INSERT OR IGNORE INTO names(name) VALUES(?1)"},
        {&set_meta_, "INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)"},
    };
    items.insert(items.end(), writes.begin(), writes.end());
  }
  for (const Item& item : items) {
    Result<Statement> statement = db_->prepare(item.sql);
    if (!statement) return statement.status();
    *item.statement = std::move(statement).value();
  }
  return Status::ok();
}

Result<AuditIndex::Mark> AuditIndex::mark() {
  Mark mark;
  get_meta_.reset().bindText(1, "mark_seq");
  Result<bool> started = get_meta_.step();
  if (!started) return started.status();
  mark.started = *started;
  for (auto [key, kind] : {std::pair{"mark_seq", 0}, std::pair{"mark_hash", 1},
                           std::pair{"mark_offset", 2}, std::pair{"mark_length", 3}}) {
    get_meta_.reset().bindText(1, key);
    Result<bool> row = get_meta_.step();
    if (!row) return row.status();
    if (!*row) continue;
    switch (kind) {
      case 0:
        mark.seq = static_cast<uint64_t>(get_meta_.columnInt(0));
        break;
      case 1:
        mark.hash = get_meta_.columnText(0);
        break;
      case 2:
        mark.offset = static_cast<uint64_t>(get_meta_.columnInt(0));
        break;
      default:
        mark.length = static_cast<uint32_t>(get_meta_.columnInt(0));
    }
  }
  get_meta_.reset();
  return mark;
}

Result<uint64_t> AuditIndex::firstSeq() {
  get_meta_.reset().bindText(1, "first_seq");
  Result<bool> row = get_meta_.step();
  if (!row) return row.status();
  uint64_t first = *row ? static_cast<uint64_t>(get_meta_.columnInt(0)) : 0;
  get_meta_.reset();
  return first;
}

Status AuditIndex::setMark(const Mark& mark) {
  ORION_RETURN_IF_ERROR(
      set_meta_.reset().bindText(1, "mark_seq").bind(2, static_cast<int64_t>(mark.seq)).run());
  ORION_RETURN_IF_ERROR(set_meta_.reset().bindText(1, "mark_hash").bindText(2, mark.hash).run());
  ORION_RETURN_IF_ERROR(set_meta_.reset()
                            .bindText(1, "mark_offset")
                            .bind(2, static_cast<int64_t>(mark.offset))
                            .run());
  return set_meta_.reset().bindText(1, "mark_length").bind(2, mark.length).run();
}

Result<std::optional<int64_t>> AuditIndex::findName(std::string_view name) {
  if (auto it = names_.find(name); it != names_.end()) return std::optional<int64_t>(it->second);
  find_name_.reset().bindText(1, name);
  Result<bool> row = find_name_.step();
  if (!row) return row.status();
  std::optional<int64_t> id;
  if (*row) {
    id = find_name_.columnInt(0);
    names_.emplace(std::string(name), *id);
  }
  find_name_.reset();
  return id;
}

Result<int64_t> AuditIndex::nameId(std::string_view name) {
  Result<std::optional<int64_t>> found = findName(name);
  if (!found) return found.status();
  if (found->has_value()) return **found;
  ORION_RETURN_IF_ERROR(insert_name_.reset().bindText(1, name).run());
  found = findName(name);
  if (!found) return found.status();
  if (!found->has_value()) return internalError("name '" + std::string(name) + "' not stored");
  return **found;
}

Result<uint64_t> AuditIndex::add(const std::vector<IndexRow>& rows) {
  if (read_only_) return failedPrecondition(db_->file().string() + " is open read-only");
  ORION_RETURN_IF_ERROR(db_->exec("BEGIN IMMEDIATE"));
  auto fail = [&](Status status) -> Status {
    db_->exec("ROLLBACK").ignore();  // the error that matters is `status`
    names_.clear();                  // names added in the transaction are gone
    return status;
  };
  Result<Mark> current = mark();
  if (!current) return fail(current.status());
  if (!current->started) return fail(failedPrecondition("the index has not been started"));
  size_t start = 0;
  while (start < rows.size() && rows[start].seq <= current->seq) ++start;
  if (start == rows.size()) {
    ORION_RETURN_IF_ERROR(db_->exec("COMMIT"));
    return current->seq;
  }
  if (rows[start].seq != current->seq + 1) {
    return fail(failedPrecondition("the index ends at seq " + std::to_string(current->seq) +
                                   " and the rows start at " + std::to_string(rows[start].seq)));
  }
  for (size_t i = start; i < rows.size(); ++i) {
    const IndexRow& row = rows[i];
    const IndexFields& f = row.fields;
    Result<int64_t> type = nameId(row.type);
    Result<int64_t> node = type ? nameId(f.node) : type;
    Result<int64_t> service =
        !node || f.service.empty() ? Result<int64_t>(int64_t{0}) : nameId(f.service);
    if (!type || !node || !service) {
      return fail(!type ? type.status() : !node ? node.status() : service.status());
    }
    auto seq = static_cast<int64_t>(row.seq);
    insert_record_.reset().bind(1, seq).bind(2, row.micros).bind(3, *type).bind(4, *node);
    if (f.service.empty()) {
      insert_record_.bindNull(5);
    } else {
      insert_record_.bind(5, *service);
    }
    insert_record_.bind(6, static_cast<int64_t>(row.offset)).bind(7, row.length);
    if (Status s = insert_record_.run(); !s) return fail(s);
    std::string own = f.id.empty() ? std::string() : encodeId(f.id);
    if (!own.empty()) {
      if (Status s = insert_id_.reset().bindBlob(1, own).bind(2, seq).bind(3, 1).run(); !s) {
        return fail(s);
      }
      if (f.closed) {
        Status s = upsert_entity_.reset()
                       .bindBlob(1, own)
                       .bind(2, *type)
                       .bind(3, seq)
                       .bind(4, *f.closed ? 1 : 0)
                       .run();
        if (!s) return fail(s);
      }
    }
    for (const std::string& ref : f.refs) {
      if (ref == f.id) continue;
      std::string key = encodeId(ref);
      if (Status s = insert_id_.reset().bindBlob(1, key).bind(2, seq).bind(3, 0).run(); !s) {
        return fail(s);
      }
    }
    if (!f.closes.empty()) {
      std::string key = encodeId(f.closes);
      if (Status s = close_entity_.reset().bindBlob(1, key).run(); !s) return fail(s);
    }
  }
  const IndexRow& last = rows.back();
  if (Status s = setMark({true, last.seq, hexDigest(last.hash), last.offset, last.length}); !s) {
    return fail(s);
  }
  if (Status s = db_->exec("COMMIT"); !s) return fail(s);
  return last.seq;
}

Status AuditIndex::start(uint64_t first_seq) {
  if (read_only_) return failedPrecondition(db_->file().string() + " is open read-only");
  ORION_RETURN_IF_ERROR(db_->exec("BEGIN IMMEDIATE"));
  Result<Mark> current = mark();
  Status status = current.status();
  if (status && !current->started) {
    status = setMark({true, first_seq - 1, "", 0, 0});
    if (status) {
      status =
          set_meta_.reset().bindText(1, "first_seq").bind(2, static_cast<int64_t>(first_seq)).run();
    }
  }
  if (status) return db_->exec("COMMIT");
  db_->exec("ROLLBACK").ignore();  // the error that matters is `status`
  return status;
}

Status AuditIndex::dropBefore(uint64_t first_seq) {
  if (read_only_) return failedPrecondition(db_->file().string() + " is open read-only");
  std::string seq = std::to_string(first_seq);
  return db_->exec("BEGIN IMMEDIATE; DELETE FROM records WHERE seq < " + seq +
                   "; DELETE FROM ids WHERE seq < " + seq + "; DELETE FROM entities WHERE seq < " +
                   seq + "; INSERT OR REPLACE INTO meta(key, value) VALUES('first_seq', " + seq +
                   "); COMMIT");
}

Status AuditIndex::clear() {
  if (read_only_) return failedPrecondition(db_->file().string() + " is open read-only");
  names_.clear();
  return db_->exec(
      "BEGIN IMMEDIATE; DELETE FROM records; DELETE FROM ids; DELETE FROM entities; "
      "DELETE FROM names; DELETE FROM meta; COMMIT");
}

Status AuditIndex::checkpoint() { return db_->exec("PRAGMA wal_checkpoint(TRUNCATE)"); }

uint64_t AuditIndex::sizeBytes() const {
  std::filesystem::path wal = db_->file();
  wal += "-wal";
  return fileSize(db_->file()) + fileSize(wal);
}

Result<std::vector<AuditIndex::Hit>> AuditIndex::select(const Selection& selection) {
  // The current versions are read from the entities, newest first along entities_by_seq, each
  // joined to its record: a page costs its own rows, however long the trail.
  std::string sql =
      selection.current_versions
          ? "SELECT r.seq, r.offset, r.length FROM entities e CROSS JOIN records r ON r.seq = "
            "e.seq "
            "WHERE e.seq > ?1 AND e.seq <= ?2"
          : "SELECT r.seq, r.offset, r.length FROM records r WHERE r.seq > ?1 AND r.seq <= ?2";
  if (selection.current_versions && selection.closed) {
    sql += *selection.closed ? " AND e.closed = 1" : " AND e.closed = 0";
  }
  if (selection.carrying) sql += " AND r.seq IN (SELECT seq FROM ids WHERE id = ?3)";
  if (!selection.types.empty()) {
    std::string in;
    for (const std::string& type : selection.types) {
      Result<std::optional<int64_t>> id = findName(type);
      if (!id) return id.status();
      if (id->has_value()) in += (in.empty() ? "" : ",") + std::to_string(**id);
    }
    if (in.empty()) return std::vector<Hit>{};  // none of the types was ever recorded
    sql += " AND r.type IN (" + in + ")";
    if (selection.current_versions) sql += " AND e.type IN (" + in + ")";
  }
  for (auto [criterion, column] :
       {std::pair{&selection.node, "node"}, std::pair{&selection.service, "service"}}) {
    if (!criterion->has_value()) continue;
    Result<std::optional<int64_t>> id = findName(**criterion);
    if (!id) return id.status();
    if (!id->has_value()) return std::vector<Hit>{};
    sql += std::string(" AND r.") + column + " = " + std::to_string(**id);
  }
  const char* order = selection.current_versions ? " ORDER BY e.seq" : " ORDER BY r.seq";
  sql += std::string(order) + (selection.newest_first ? " DESC" : "");
  if (selection.limit > 0) sql += " LIMIT " + std::to_string(selection.limit);
  Result<Statement> statement = db_->prepare(sql);
  if (!statement) return statement.status();
  statement->bind(1, static_cast<int64_t>(selection.after_seq))
      .bind(2, static_cast<int64_t>(std::min<uint64_t>(selection.through_seq, INT64_MAX)));
  std::string carried = selection.carrying ? encodeId(*selection.carrying) : std::string();
  if (selection.carrying) statement->bindBlob(3, carried);
  std::vector<Hit> hits;
  while (true) {
    Result<bool> row = statement->step();
    if (!row) return row.status();
    if (!*row) break;
    hits.push_back({static_cast<uint64_t>(statement->columnInt(0)),
                    static_cast<uint64_t>(statement->columnInt(1)),
                    static_cast<uint32_t>(statement->columnInt(2))});
  }
  return hits;
}

Result<std::optional<uint64_t>> AuditIndex::firstSeqAtOrAfter(int64_t micros) {
  Result<uint64_t> first = firstSeq();
  if (!first) return first.status();
  Result<Mark> last = mark();
  if (!last) return last.status();
  // The record at or after `seq`, and its time.
  auto probe = [&](uint64_t seq) -> Result<std::optional<std::pair<uint64_t, int64_t>>> {
    at_of_.reset().bind(1, static_cast<int64_t>(seq));
    Result<bool> row = at_of_.step();
    if (!row) return row.status();
    std::optional<std::pair<uint64_t, int64_t>> found;
    if (*row) found = {static_cast<uint64_t>(at_of_.columnInt(0)), at_of_.columnInt(1)};
    at_of_.reset();
    return found;
  };
  uint64_t lo = std::max<uint64_t>(*first, 1);
  uint64_t hi = last->seq;
  if (hi < lo) return std::optional<uint64_t>();
  Result<std::optional<std::pair<uint64_t, int64_t>>> top = probe(hi);
  if (!top) return top.status();
  if (!top->has_value() || (*top)->second < micros) return std::optional<uint64_t>();
  // f(s) = "the first record at or after s is recent enough" never turns false as s grows.
  while (lo < hi) {
    uint64_t mid = lo + (hi - lo) / 2;
    Result<std::optional<std::pair<uint64_t, int64_t>>> at = probe(mid);
    if (!at) return at.status();
    if (at->has_value() && (*at)->second >= micros) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  Result<std::optional<std::pair<uint64_t, int64_t>>> found = probe(lo);
  if (!found) return found.status();
  if (!found->has_value()) return std::optional<uint64_t>();
  return std::optional<uint64_t>((*found)->first);
}

Result<std::vector<AuditIndex::TypedHit>> AuditIndex::carrying(std::string_view id) {
  std::string key = encodeId(id);
  carrying_.reset().bindBlob(1, key);
  std::vector<TypedHit> hits;
  while (true) {
    Result<bool> row = carrying_.step();
    if (!row) return row.status();
    if (!*row) break;
    hits.push_back({{static_cast<uint64_t>(carrying_.columnInt(0)),
                     static_cast<uint64_t>(carrying_.columnInt(2)),
                     static_cast<uint32_t>(carrying_.columnInt(3))},
                    carrying_.columnText(4),
                    carrying_.columnInt(1) != 0});
  }
  carrying_.reset();
  return hits;
}

Result<std::optional<AuditIndex::Hit>> AuditIndex::single(Statement& statement) {
  Result<bool> row = statement.step();
  if (!row) return row.status();
  std::optional<Hit> hit;
  if (*row) {
    hit = Hit{static_cast<uint64_t>(statement.columnInt(0)),
              static_cast<uint64_t>(statement.columnInt(1)),
              static_cast<uint32_t>(statement.columnInt(2))};
  }
  statement.reset();
  return hit;
}

Result<std::optional<AuditIndex::Hit>> AuditIndex::latestOwn(std::string_view id) {
  std::string key = encodeId(id);
  latest_own_.reset().bindBlob(1, key);
  return single(latest_own_);
}

Result<std::optional<AuditIndex::Hit>> AuditIndex::latestReferring(std::string_view id,
                                                                   std::string_view type) {
  Result<std::optional<int64_t>> type_id = findName(type);
  if (!type_id) return type_id.status();
  if (!type_id->has_value()) return std::optional<Hit>();
  std::string key = encodeId(id);
  latest_referring_.reset().bindBlob(1, key).bind(2, **type_id);
  return single(latest_referring_);
}

Result<std::vector<AuditIndex::Hit>> AuditIndex::openEntities(std::string_view type) {
  Result<std::optional<int64_t>> type_id = findName(type);
  if (!type_id) return type_id.status();
  std::vector<Hit> hits;
  if (!type_id->has_value()) return hits;
  open_entities_.reset().bind(1, **type_id);
  while (true) {
    Result<bool> row = open_entities_.step();
    if (!row) return row.status();
    if (!*row) break;
    hits.push_back({static_cast<uint64_t>(open_entities_.columnInt(0)),
                    static_cast<uint64_t>(open_entities_.columnInt(1)),
                    static_cast<uint32_t>(open_entities_.columnInt(2))});
  }
  open_entities_.reset();
  return hits;
}

}  // namespace orion::memory
