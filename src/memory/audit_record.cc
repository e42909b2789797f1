#include "memory/audit_record.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstring>
#include <utility>

#include "common/json_writer.h"

namespace orion::memory {
namespace {

using namespace std::chrono;

constexpr std::string_view kSeqKey = "{\"seq\":";
constexpr std::string_view kPrevKey = ",\"prev\":\"";
constexpr std::string_view kRecordedAtKey = "\",\"recorded_at\":\"";
constexpr std::string_view kNodeKey = "\",\"node\":";
constexpr std::string_view kTypeKey = ",\"type\":";
constexpr std::string_view kIdKey = ",\"id\":";
constexpr std::string_view kEntryIdKey = ",\"entry_id\":";
constexpr std::string_view kDocumentKey = ",\"document\":";
constexpr std::string_view kHashKey = ",\"hash\":\"";
constexpr std::string_view kHmacKey = ",\"hmac\":\"";

Status malformed(std::string_view what) {
  return {StatusCode::kDataLoss, "malformed record: " + std::string(what)};
}

// The bytes that end the plain run of a JSON string's contents: its closing quote, an escape or
// a control character (which must not appear raw). A table lookup per byte.
constexpr std::array<bool, 256> kTokenEnds = [] {
  std::array<bool, 256> ends{};
  for (int c = 0; c < 0x20; ++c) ends[c] = true;
  ends['"'] = true;
  ends['\\'] = true;
  return ends;
}();

bool endsToken(char c) { return kTokenEnds[static_cast<unsigned char>(c)]; }

// A hash's 64 characters are all lower-case hex digits. A fixed count of bytes tested with
// arithmetic, not the table, so that the compiler checks 16 at a time (SSE2).
constexpr size_t kHashHexLength = 64;
bool isLowerHexHash(const char* text) {
  unsigned char bad = 0;
  for (size_t i = 0; i < kHashHexLength; ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    bad |= static_cast<unsigned char>(static_cast<unsigned char>(c - '0') > 9) &
           static_cast<unsigned char>(static_cast<unsigned char>(c - 'a') > 5);
  }
  return bad == 0;
}

// Reads `key` at `pos`, advancing past it.
bool expect(std::string_view line, size_t& pos, std::string_view key) {
  if (line.compare(pos, key.size(), key) != 0) return false;
  pos += key.size();
  return true;
}

// A JSON string token at `pos` (starting with '"'); returns its contents (escapes kept) and
// advances past the closing quote.
bool stringToken(std::string_view line, size_t& pos, std::string_view& contents) {
  if (pos >= line.size() || line[pos] != '"') return false;
  size_t start = ++pos;
  while (pos < line.size()) {
    while (pos < line.size() && !endsToken(line[pos])) ++pos;
    if (pos >= line.size()) return false;
    char c = line[pos];
    if (c == '"') {
      contents = line.substr(start, pos - start);
      ++pos;
      return true;
    }
    if (c != '\\') return false;  // a raw control character
    pos += 2;
  }
  return false;
}

}  // namespace

Result<std::string> decodeToken(std::string_view contents) {
  if (contents.find('\\') == std::string_view::npos) return std::string(contents);
  std::string quoted = "\"" + std::string(contents) + "\"";
  Json parsed = Json::parse(quoted, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_string()) return malformed("a string is not valid JSON");
  return parsed.get<std::string>();
}

int64_t toMicros(WallTime time) {
  return duration_cast<microseconds>(time.time_since_epoch()).count();
}

WallTime fromMicros(int64_t micros) {
  return WallTime(duration_cast<WallTime::duration>(microseconds(micros)));
}

void appendRecordedAt(std::string& out, int64_t micros) {
  // The date and time of day change once a second; formatting them is most of the cost, so each
  // thread keeps the last second's text.
  thread_local int64_t cached_second = INT64_MIN;
  thread_local std::array<char, 20> cached{};  // "YYYY-MM-DDTHH:MM:SS."
  int64_t second = micros >= 0 ? micros / 1'000'000 : (micros - 999'999) / 1'000'000;
  int64_t fraction = micros - second * 1'000'000;
  if (second != cached_second) {
    sys_seconds at{seconds(second)};
    auto day = floor<days>(at);
    year_month_day ymd{day};
    hh_mm_ss<seconds> hms{at - day};
    std::array<char, 32> text{};
    std::snprintf(text.data(), text.size(), "%04d-%02u-%02uT%02d:%02d:%02d.",
                  static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()), static_cast<int>(hms.hours().count()),
                  static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()));
    std::memcpy(cached.data(), text.data(), cached.size());
    cached_second = second;
  }
  out.append(cached.data(), cached.size());
  char digits[7];
  for (int i = 5; i >= 0; --i) {
    digits[i] = static_cast<char>('0' + fraction % 10);
    fraction /= 10;
  }
  digits[6] = 'Z';
  out.append(digits, sizeof digits);
}

namespace {

// The envelope members between recorded_at and the document, through `"document":`.
void appendEnvelope(std::string& rest, std::string_view node, std::string_view type,
                    std::string_view id, std::string_view entry_id) {
  rest += kNodeKey.substr(1);  // the writer closes recorded_at's quote
  appendJsonString(rest, node);
  rest += kTypeKey;
  appendJsonString(rest, type);
  rest += kIdKey;
  appendJsonString(rest, id);
  rest += kEntryIdKey;
  appendJsonString(rest, entry_id);
  rest += kDocumentKey;
}

}  // namespace

std::string formatRecordRest(std::string_view node, std::string_view type, std::string_view id,
                             std::string_view entry_id, std::string_view document_json) {
  std::string rest;
  rest.reserve(document_json.size() + node.size() + type.size() + id.size() + entry_id.size() + 64);
  appendEnvelope(rest, node, type, id, entry_id);
  rest += document_json;
  return rest;
}

RecordRest buildRecordRest(std::string_view node, std::string_view type, std::string_view id,
                           std::string_view entry_id, const Json& document) {
  RecordRest rest;
  // Most documents are a few hundred bytes: one allocation holds the whole record body.
  rest.text.reserve(512);
  appendEnvelope(rest.text, node, type, id, entry_id);
  rest.document_at = rest.text.size();
  appendJson(rest.text, document);
  return rest;
}

void appendRecordBody(std::string& out, uint64_t seq, std::string_view prev_hex, int64_t micros,
                      std::string_view rest) {
  char number[24];
  auto [end, ec] = std::to_chars(number, number + sizeof number, seq);
  (void)ec;  // a uint64_t always fits
  out += kSeqKey;
  out.append(number, end);
  out += kPrevKey;
  out += prev_hex;
  out += kRecordedAtKey;
  appendRecordedAt(out, micros);
  out += "\"";
  out += rest;
}

void appendRecordEnd(std::string& out, const Digest& hash, bool keyed) {
  out += keyed ? kHmacKey : kHashKey;
  appendHex(out, hash);
  out += "\"}\n";
}

Result<RecordView> viewRecord(std::string_view line) {
  RecordView view;
  size_t pos = 0;
  if (!expect(line, pos, kSeqKey)) return malformed("it does not start with {\"seq\":");
  size_t digits_start = pos;
  while (pos < line.size() && line[pos] >= '0' && line[pos] <= '9') ++pos;
  auto [end, ec] = std::from_chars(line.data() + digits_start, line.data() + pos, view.seq);
  if (ec != std::errc() || pos == digits_start || view.seq == 0 ||
      (line[digits_start] == '0' && pos - digits_start > 1)) {
    return malformed("'seq' is not a positive integer");
  }
  if (!expect(line, pos, kPrevKey) || line.size() < pos + kHashHexLength) {
    return malformed("'prev' missing");
  }
  view.prev = line.substr(pos, kHashHexLength);
  if (!isLowerHexHash(view.prev.data())) return malformed("'prev' is not 64 hex digits");
  pos += kHashHexLength;
  if (!expect(line, pos, kRecordedAtKey) || line.size() < pos + kRecordedAtLength) {
    return malformed("'recorded_at' missing");
  }
  view.recorded_at = line.substr(pos, kRecordedAtLength);
  if (view.recorded_at[4] != '-' || view.recorded_at[10] != 'T' || view.recorded_at[19] != '.' ||
      view.recorded_at[26] != 'Z') {
    return malformed("'recorded_at' is not YYYY-MM-DDTHH:MM:SS.uuuuuuZ");
  }
  pos += kRecordedAtLength;
  if (!expect(line, pos, kNodeKey) || !stringToken(line, pos, view.node)) {
    return malformed("'node' missing or not a string");
  }
  if (!expect(line, pos, kTypeKey) || !stringToken(line, pos, view.type)) {
    return malformed("'type' missing or not a string");
  }
  if (!expect(line, pos, kIdKey) || !stringToken(line, pos, view.id)) {
    return malformed("'id' missing or not a string");
  }
  if (!expect(line, pos, kEntryIdKey) || !stringToken(line, pos, view.entry_id)) {
    return malformed("'entry_id' missing or not a string");
  }
  if (!expect(line, pos, kDocumentKey) || pos >= line.size() || line[pos] != '{') {
    return malformed("'document' missing or not an object");
  }
  if (line.size() < pos + 2 + kRecordEndLength) return malformed("the line is cut short");
  size_t end_at = line.size() - kRecordEndLength;
  std::string_view ending = line.substr(end_at);
  if (ending.substr(0, kHashKey.size()) == kHashKey) {
    view.keyed = false;
  } else if (ending.substr(0, kHmacKey.size()) == kHmacKey) {
    view.keyed = true;
  } else {
    return malformed("it does not end with a \"hash\" or \"hmac\" member");
  }
  view.hash = ending.substr(kHashKey.size(), kHashHexLength);
  if (!isLowerHexHash(view.hash.data()) ||
      ending.substr(kHashKey.size() + kHashHexLength) != "\"}") {
    return malformed("the hash is not 64 hex digits followed by \"}");
  }
  if (line[end_at - 1] != '}') return malformed("'document' is not closed before the hash");
  view.document = line.substr(pos, end_at - pos);
  view.body = line.substr(0, end_at);
  return view;
}

bool hashMatches(const RecordView& view, const ChainHasher& hasher) {
  if (view.keyed != hasher.keyed()) return false;
  Digest digest = hasher.hash(view.body);
  char hex[64];
  writeHex(hex, digest);
  return view.hash == std::string_view(hex, sizeof hex);
}

Result<AuditRecord> parseRecord(std::string_view line) {
  Result<RecordView> view = viewRecord(line);
  if (!view) return view.status();
  AuditRecord record;
  record.seq = view->seq;
  record.prev = std::string(view->prev);
  record.recorded_at = std::string(view->recorded_at);
  record.hash = std::string(view->hash);
  record.keyed = view->keyed;
  for (auto [raw, out] :
       {std::pair{view->node, &record.node}, std::pair{view->type, &record.type},
        std::pair{view->id, &record.id}, std::pair{view->entry_id, &record.entry_id}}) {
    Result<std::string> decoded = decodeToken(raw);
    if (!decoded) return decoded.status();
    *out = std::move(decoded).value();
  }
  Json document = Json::parse(view->document, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded() || !document.is_object()) {
    return malformed("'document' is not a JSON object");
  }
  record.document = std::move(document);
  record.line = std::string(line);
  return record;
}

std::string_view documentIdField(std::string_view type) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 17> kIdFields{{
      {"event", "event_id"},
      {"incident", "incident_id"},
      {"decision", "decision_id"},
      {"action", "action_id"},
      {"outcome", "outcome_id"},
      {"approval_request", "approval_request_id"},
      {"approval_decision", "approval_id"},
      {"approval", "approval_id"},
      {"validation", "validation_id"},
      {"edge.command", "command_id"},
      {"edge.telemetry", "telemetry_id"},
      {"edge.health", "health_id"},
      {"deadletter", "deadletter_id"},
      {"autonomy_change", "change_id"},
      {record_type::kRepair, "repair_id"},
      {record_type::kIntegrity, "integrity_id"},
      {record_type::kRetention, "retention_id"},
  }};
  for (auto [known, id_field] : kIdFields) {
    if (known == type) return id_field;
  }
  return {};
}

std::string documentId(std::string_view type, const Json& document) {
  std::string_view field = documentIdField(type);
  if (field.empty() || !document.is_object()) return {};
  auto it = document.find(field);
  if (it == document.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

RecordKey recordKey(std::string_view type, std::string_view id, std::string_view entry_id,
                    std::string_view document_json) {
  auto length = [](std::string_view part) {
    std::array<char, 8> bytes{};
    uint64_t size = part.size();
    for (char& byte : bytes) {
      byte = static_cast<char>(size & 0xff);
      size >>= 8;
    }
    return bytes;
  };
  auto type_length = length(type);
  Digest digest;
  if (id.empty()) {
    auto entry_length = length(entry_id);
    digest = ChainHasher::sha256({std::string_view(type_length.data(), 8), type, "entry",
                                  std::string_view(entry_length.data(), 8), entry_id});
  } else {
    auto id_length = length(id);
    digest = ChainHasher::sha256({std::string_view(type_length.data(), 8), type, "id",
                                  std::string_view(id_length.data(), 8), id, document_json});
  }
  RecordKey key;
  std::copy_n(digest.begin(), key.size(), key.begin());
  return key;
}

}  // namespace orion::memory
