// The byte layout of one audit record (docs/audit_log_format.md, "Records"): one JSON object on one
// line, members in this fixed order,
//
//   {"seq":12,"prev":"<64 hex>","recorded_at":"2026-01-14T12:00:00.123456Z","node":"nas",
//    "type":"event","id":"<document id>","entry_id":"1768392000123-0","document":{...},
//    "hash":"<64 hex>"}
//
// The record's body is the line up to (excluding) its last member, `,"hash":"…"}` — or
// `,"hmac":"…"}` in a keyed trail; the last member's value is the hash of the body. The writer
// builds lines from parts (formatting); readers take a fast view of the fixed parts without a
// JSON parse (viewRecord, what verification runs at millions of records per second) or parse a
// line completely (parseRecord). Pure functions, any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/json.h"
#include "common/status.h"
#include "memory/chain_hasher.h"
#include "memory/dedup_window.h"
#include "memory/memory.h"

namespace orion::memory {

// The record types memory writes about the trail itself (never on the bus).
namespace record_type {
inline constexpr std::string_view kRepair = "audit.repair";        // a torn tail was cut off
inline constexpr std::string_view kIntegrity = "audit.integrity";  // records were found missing
inline constexpr std::string_view kRetention = "audit.retention";  // old segments were deleted
}  // namespace record_type

// Microseconds since the Unix epoch: the resolution of recorded_at.
int64_t toMicros(WallTime time);
WallTime fromMicros(int64_t micros);
// "2026-01-14T12:00:00.123456Z": always 27 characters, so it sorts as text.
void appendRecordedAt(std::string& out, int64_t micros);
inline constexpr size_t kRecordedAtLength = 27;

// The part of a record after recorded_at and before the hash, built once per record by whoever
// has the document (the bus thread), so the writer only adds seq, prev, time and hash:
//   ,"node":"nas","type":"event","id":"…","entry_id":"…","document":{…}
std::string formatRecordRest(std::string_view node, std::string_view type, std::string_view id,
                             std::string_view entry_id, std::string_view document_json);

// The same, with the document written in canonical form (common/json_writer.h) straight from the
// Json, and where its bytes are, for the duplicate key. What the bus threads build for every
// record.
struct RecordRest {
  std::string text;        // as formatRecordRest
  size_t document_at = 0;  // the document's bytes: text.substr(document_at)
  std::string_view document() const { return std::string_view(text).substr(document_at); }
};
RecordRest buildRecordRest(std::string_view node, std::string_view type, std::string_view id,
                           std::string_view entry_id, const Json& document);

// Appends `{"seq":…,"prev":"…","recorded_at":"…"` + rest: the body to hash.
void appendRecordBody(std::string& out, uint64_t seq, std::string_view prev_hex, int64_t micros,
                      std::string_view rest);
// Appends `,"hash":"<hex>"}` (or "hmac" when `keyed`) and '\n'.
void appendRecordEnd(std::string& out, const Digest& hash, bool keyed);
// The length of that ending without '\n'.
inline constexpr size_t kRecordEndLength = 75;

// The fixed parts of a line, pointing into it.
struct RecordView {
  uint64_t seq = 0;
  std::string_view prev;         // 64 hex
  std::string_view recorded_at;  // 27 characters
  std::string_view node;         // raw JSON string contents (escapes not decoded)
  std::string_view type;
  std::string_view id;
  std::string_view entry_id;
  std::string_view document;  // the document's JSON text
  std::string_view hash;      // 64 hex
  bool keyed = false;
  std::string_view body;  // the hashed bytes
};

// Checks the envelope layout of `line` (without '\n') and returns its view; kDataLoss saying
// what is malformed. Does not check the hash and does not parse the document.
Result<RecordView> viewRecord(std::string_view line);

// The text of a JSON string's contents as viewRecord returns them, with escapes decoded.
Result<std::string> decodeToken(std::string_view contents);

// Whether the view's hash is `hasher`'s hash of its body. A keyed record needs a keyed hasher.
bool hashMatches(const RecordView& view, const ChainHasher& hasher);

// Parses a whole line (without '\n'): the envelope, the decoded strings and the document.
// kDataLoss saying what is malformed. Fills every field of AuditRecord except segment and offset.
Result<AuditRecord> parseRecord(std::string_view line);

// The field holding a contract document's own id ("event_id" for "event", "command_id" for
// "edge.command", "repair_id" for "audit.repair"), or "" for a type memory does not know.
std::string_view documentIdField(std::string_view type);
// The document's own id (a string under documentIdField(type)), or "".
std::string documentId(std::string_view type, const Json& document);

// What makes a record a duplicate: the type, the document's own id and its content (a
// redelivery is the same document; an incident republished with a new state is not); without an
// id, the bus entry id (a redelivery keeps it). The first 16 bytes of a SHA-256 over those, each
// part prefixed with its length: two records share a key only if they share all of them.
RecordKey recordKey(std::string_view type, std::string_view id, std::string_view entry_id,
                    std::string_view document_json);

}  // namespace orion::memory
