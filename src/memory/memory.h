// Memory: ORION's audit trail — the tamper-evident record of every document that crossed the bus,
// and the tools that read it. The file format is specified in docs/audit_log_format.md.
//
// Two sides share one trail directory (`<state_dir>/<memory.audit_dir>`, default
// `<state_dir>/audit`):
//
//  * The daemon side, makeMemory(): a Service that subscribes group "memory" to every contract
//    stream and appends each document as a hash-chained record to the current segment. Appends are
//    made durable by a group-commit writer (one fdatasync per batch), and the bus acknowledges a
//    message only once the batch holding its record is durable (deferred acknowledgement, bus.h).
//    A SQLite index beside the log is kept up to date in the background; it is derived data and is
//    rebuilt from the log whenever it is missing or behind. One process writes a trail at a time
//    (a lock file); a second `orion run` on the same state directory fails to start.
//
//  * The offline side, used by `orion audit` without a running daemon: verify the chain and the
//    head, rebuild the index, query it (by time, type, node, service, or incident id with the
//    whole causal chain), tail and export. Reading while the daemon writes is safe: readers see
//    whole records only, and query() first brings the index up to the end of the log.
//
// The trail is the human record and the cross-check of what happened. It is not where modules
// restore their safety state from after a restart: each module keeps that in its own StateStore
// (state/state_store.h), because in the distributed shape modules run on other hosts than the
// core that holds the trail. The reconciliation queries below (open incidents, latest outcome of an
// action, actions without an outcome, pending approval requests) let a module or an operator check
// a module's state against the trail.
//
// Thread-safety: the Service follows common/service.h. An AuditReader is used by one thread at a
// time. Errors are Status values naming the file and, for records, the segment and byte offset:
// kDataLoss for a damaged or tampered trail, kUnavailable for I/O failures, kFailedPrecondition
// when the trail is locked or needs a key that was not given, kInvalidArgument for bad input.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bus/module_context.h"
#include "common/clock.h"
#include "common/json.h"
#include "common/service.h"
#include "common/status.h"
#include "config/config.h"

namespace orion::memory {

// ---- the daemon side --------------------------------------------------------------------------

// The memory service over the trail directory auditDir(config, state_dir). Its start() fails
// (with context "memory: ...") when the trail is locked by another process, cannot be opened or
// repaired, or an HMAC key file is configured but unreadable or too open (group/world access).
std::unique_ptr<Service> makeMemory(const config::MemoryConfig& config,
                                    const std::filesystem::path& state_dir, ModuleContext context);

// `config.audit_dir`, under `state_dir` when relative.
std::filesystem::path auditDir(const config::MemoryConfig& config,
                               const std::filesystem::path& state_dir);

// Reads an HMAC key file: its bytes, without one trailing newline. kPermissionDenied when the file
// is readable by group or others, kInvalidArgument when the key is shorter than 16 bytes,
// kNotFound/kUnavailable when it cannot be read; messages name the file.
Result<std::string> loadHmacKey(const std::filesystem::path& file);

// ---- records ----------------------------------------------------------------------------------

// One record of the trail, as read back.
struct AuditRecord {
  uint64_t seq = 0;
  std::string prev;         // hex chain value of the previous record (64 zeros before seq 1)
  std::string recorded_at;  // RFC 3339 UTC with microseconds, never decreasing along the trail
  std::string node;         // the node the document came from or concerns
  std::string type;         // contract type ("event", …) or a memory record ("audit.repair", …)
  std::string id;           // the document's own id ("" when it has none)
  std::string entry_id;     // bus entry id of the delivery that was recorded
  Json document;            // the document as it crossed the bus
  std::string hash;         // hex: SHA-256, or HMAC-SHA256 when `keyed`
  bool keyed = false;
  std::string segment;  // file name of the segment holding it
  uint64_t offset = 0;  // byte offset of its line in the segment
  std::string line;     // the line as stored (without '\n'): what `export --format jsonl` writes
};

// {"seq":…, "recorded_at":…, "node":…, "type":…, "id":…, "entry_id":…, "document":…, "hash":…,
//  "keyed":…, "segment":…, "offset":…}
Json toJson(const AuditRecord& record);

// CSV (RFC 4180) export: the header line and one row per record, each ending in "\r\n". Columns:
// seq, recorded_at, node, type, id, entry_id, service, hash, document (compact JSON).
std::string csvHeader();
std::string csvRow(const AuditRecord& record);

// ---- the offline side ---------------------------------------------------------------------------

struct TrailOptions {
  std::filesystem::path dir;       // the trail directory (auditDir())
  std::optional<std::string> key;  // the HMAC key, needed to verify keyed records
};

// Called now and then during a long operation with the work done and the total (both in records;
// the total may be an estimate, 0 when unknown). Must be cheap; called on the caller's thread.
using Progress = std::function<void(uint64_t done, uint64_t total)>;

// One thing verification found, at a record.
struct Finding {
  uint64_t seq = 0;     // 0 when not at a record (head, checkpoint)
  std::string segment;  // "" when not in a segment
  uint64_t offset = 0;
  std::string what;  // what is wrong, or what the trail records about itself
};

struct VerifyReport {
  bool ok = false;         // chain, head and checkpoint verify, and the trail records no loss
  uint64_t records = 0;    // records checked
  uint64_t first_seq = 0;  // first and last record present (0 when empty)
  uint64_t last_seq = 0;
  uint64_t segments = 0;
  uint64_t bytes = 0;
  uint64_t keyed_records = 0;            // records carrying an HMAC
  uint64_t unauthenticated_records = 0;  // plain SHA-256 records in a trail verified with a key
  std::optional<Finding> failure;        // the first reason `ok` is false, if any
  std::vector<Finding> repairs;          // memory's own repair and integrity records, in order
  std::vector<std::string> notes;        // warnings that do not fail verification
  bool head_present = false;
  uint64_t head_seq = 0;
  std::string head_hash;
  bool checkpoint_present = false;
  uint64_t checkpoint_first_seq = 0;
  double seconds = 0;
};
Json toJson(const VerifyReport& report);

struct VerifyOptions {
  bool deep = false;  // also parse every record fully and check its canonical form
  // Threads that check records side by side (0: one per core), each a chunk of about
  // `chunk_bytes` of a segment at a time (0: 8 MiB). The findings are the same with any number
  // and any size: the first failure in trail order, with the reason a single pass gives.
  unsigned threads = 0;
  uint64_t chunk_bytes = 0;
};

// Verifies every segment in order: each record's hash (or HMAC), the links (seq + 1, prev =
// previous hash, recorded_at never decreasing), the first record against genesis or the
// retention checkpoint, and the last against the head file. Stops at the first broken record
// and reports it (segment, byte offset, seq, reason) in `failure`. An unfinished final line in the
// newest segment (a write in progress, or a crash the daemon will repair on start) is a note, not
// a failure. The Result is an error only when the trail cannot be read at all.
Result<VerifyReport> verifyTrail(const TrailOptions& trail, const VerifyOptions& options = {},
                                 const Progress& progress = nullptr);

struct ReindexReport {
  uint64_t records = 0;
  uint64_t index_bytes = 0;
  double seconds = 0;
};
Json toJson(const ReindexReport& report);

// Drops the index and rebuilds it from the log (safe while the daemon runs: both only ever add
// what the log holds).
Result<ReindexReport> reindexTrail(const TrailOptions& trail, const Progress& progress = nullptr);

// What query() selects; every given criterion must hold. Results are in seq order.
struct QueryFilter {
  std::optional<WallTime> since = {};   // recorded_at >= since
  std::optional<WallTime> until = {};   // recorded_at < until
  std::vector<std::string> types = {};  // any of these types (empty: all)
  std::optional<std::string> node = {};
  std::optional<std::string> service = {};
  uint64_t after_seq = 0;     // only records with a greater seq (paging)
  uint64_t before_seq = 0;    // only records with a smaller seq (0: no bound; newest-first paging)
  size_t limit = 0;           // at most this many (0: no limit)
  bool newest_first = false;  // the last `limit` matches, newest first
  // Only records carrying this id, as their own id or as a reference (decisions of an incident:
  // types {"decision"}, carrying the incident id; see index_fields.h for the references).
  std::optional<std::string> carrying = {};
  // Only the current (newest) record of each entity the index follows (incident, action,
  // approval_request): one per incident rather than every version. The other criteria apply to
  // that record. With `closed`, only entities that are closed (a resolved incident, an action
  // with an outcome, an answered request) or open.
  bool current_versions = false;
  std::optional<bool> closed = {};
};

// The causal chain of one incident, each part in seq order. Every version of the incident is
// included (opened, updated, resolved).
struct CausalChain {
  std::vector<AuditRecord> events;             // the incident's event_ids
  std::vector<AuditRecord> incidents;          // the incident's records
  std::vector<AuditRecord> decisions;          // decisions with its incident_id
  std::vector<AuditRecord> approval_requests;  // by decision_id (or incident_id)
  std::vector<AuditRecord> approvals;          // approval_decision (and deprecated approval)
  std::vector<AuditRecord> actions;            // by decision_id
  std::vector<AuditRecord> outcomes;           // by action_id
  bool empty() const { return incidents.empty(); }
  // All of it, in the order above.
  std::vector<const AuditRecord*> ordered() const;
};
Json toJson(const CausalChain& chain);

class AuditReader {
 public:
  struct Options {
    // Bring the index up to the end of the log before answering (the daemon may be behind, or
    // not running). When the index cannot be written (read-only state dir), queries answer from
    // what is indexed and lag() says by how much.
    bool catch_up = true;
    Progress progress;  // for the catch-up
  };

  // Opens the trail directory; kNotFound when it holds no trail.
  static Result<std::unique_ptr<AuditReader>> open(const TrailOptions& trail, Options options);
  static Result<std::unique_ptr<AuditReader>> open(const TrailOptions& trail) {
    return open(trail, Options{});
  }
  virtual ~AuditReader() = default;

  // Records of the log not (yet) in the index.
  virtual uint64_t lag() const = 0;

  virtual Result<std::vector<AuditRecord>> query(const QueryFilter& filter) = 0;
  // Streams the matches of `filter` (its limit ignored) to `sink`, stopping at the first error.
  virtual Status forEach(const QueryFilter& filter,
                         const std::function<Status(const AuditRecord&)>& sink,
                         const Progress& progress = nullptr) = 0;

  // The incident's causal chain; empty() when the incident is not in the trail.
  virtual Result<CausalChain> causalChain(std::string_view incident_id) = 0;

  // Reconciliation queries, each answered from the index (and the log for the records).
  // The newest record whose own id is `id`.
  virtual Result<std::optional<AuditRecord>> latest(std::string_view id) = 0;
  // The newest version of every incident whose newest version is not resolved.
  virtual Result<std::vector<AuditRecord>> openIncidents() = 0;
  // The newest outcome recorded for the action.
  virtual Result<std::optional<AuditRecord>> latestOutcome(std::string_view action_id) = 0;
  // The newest version of every action that has no outcome (in flight, or lost).
  virtual Result<std::vector<AuditRecord>> actionsWithoutOutcome() = 0;
  // Approval requests with no approval decision whose expires_at is after `now`.
  virtual Result<std::vector<AuditRecord>> pendingApprovalRequests(WallTime now) = 0;

  // The last `count` records of the log, oldest first (read from the log, not the index).
  virtual Result<std::vector<AuditRecord>> last(size_t count) = 0;
  // Calls `sink` for every record after `after_seq`, following the log as it grows (across
  // rotations) until `stop` becomes true or `sink` returns false; polls every `poll`.
  virtual Status follow(uint64_t after_seq, const std::function<bool(const AuditRecord&)>& sink,
                        const std::atomic<bool>& stop, Duration poll) = 0;
};

}  // namespace orion::memory
