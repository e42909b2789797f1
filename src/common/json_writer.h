// ORION's JSON text, written straight into a buffer the caller owns: what dumpJson() (json.h)
// returns, the bytes on the wire, in the state logs and in the audit trail (docs/
// audit_log_format.md, "Canonical form").
//
// The form is defined as what nlohmann::json::dump(-1, ' ', false, error_handler_t::replace)
// produces: members sorted by key, no whitespace, strings with only '"', '\' and control
// characters escaped, invalid UTF-8 replaced by U+FFFD, integers in decimal, doubles as nlohmann
// writes them. appendJson() produces exactly those bytes for every value — the trail's hashes,
// the duplicate keys rebuilt from the log and `orion audit verify --deep` all depend on that —
// in well under half the instructions of nlohmann's serializer (which writes strings a byte at a
// time through an escaping state machine) and without a temporary string per value.
//
// Valid UTF-8 strings and integers are written here; the rare values whose text takes a long
// specification to reproduce (doubles, strings holding invalid UTF-8, binary values) are written
// by nlohmann itself, so they cannot drift from it. Pure functions, any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/json.h"

namespace orion {

// Appends `value`: exactly the bytes of dumpJson(value).
void appendJson(std::string& out, const Json& value);

// Appends `text` as a JSON string, quotes included: exactly dumpJson(Json(text)).
void appendJsonString(std::string& out, std::string_view text);

// Whether `text` is well-formed UTF-8 (Unicode 15, table 3-7: no overlong forms, no surrogates,
// nothing above U+10FFFF).
bool isValidUtf8(std::string_view text);

// The length of the longest prefix of `text` that is ASCII a JSON string holds as it is (no
// quote, backslash or control character): what a writer copies and a parser takes without a look.
size_t plainJsonPrefix(std::string_view text);

// Appends an integer in decimal, as dumpJson writes it.
void appendJsonInteger(std::string& out, int64_t value);
void appendJsonUnsigned(std::string& out, uint64_t value);

// The value `write` appends, parsed: for the rare reader (a snapshot, a test) of values written
// as text for storage. `write(std::string&)` appends one JSON value and returns true, or returns
// false when there is none.
template <typename Write>
std::optional<Json> parseWritten(Write&& write) {
  std::string text;
  if (!write(text)) return std::nullopt;
  Json value = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) return std::nullopt;  // a writer bug; never expected
  return value;
}

// Writes one JSON object member by member straight into `out`, for values that are written far
// more often than read (the modules' safety state) and would otherwise be built as a Json tree
// only to be serialised and freed. Members come out in the order written: give keys in sorted
// (bytewise) order where the text must equal dumpJson's. The object is closed by close() (or
// the destructor).
//
//   JsonObjectWriter(out).string("node", node).integer("at", ns).boolean("open", open);
class JsonObjectWriter {
 public:
  explicit JsonObjectWriter(std::string& out) : out_(out) { out_ += '{'; }
  ~JsonObjectWriter() { close(); }
  JsonObjectWriter(const JsonObjectWriter&) = delete;
  JsonObjectWriter& operator=(const JsonObjectWriter&) = delete;

  JsonObjectWriter& string(std::string_view key, std::string_view value);
  JsonObjectWriter& integer(std::string_view key, int64_t value);
  JsonObjectWriter& unsignedInteger(std::string_view key, uint64_t value);
  JsonObjectWriter& boolean(std::string_view key, bool value);
  JsonObjectWriter& null(std::string_view key);
  JsonObjectWriter& json(std::string_view key, const Json& value);
  // Writes `key` and returns the buffer, into which the caller then appends exactly one JSON
  // value (a nested JsonObjectWriter, an array, appendJson...).
  std::string& member(std::string_view key);
  void close();

 private:
  std::string& out_;
  bool first_ = true;
  bool closed_ = false;
};

// The same for an array, element by element:
//
//   JsonArrayWriter(out).integer(ns).string(event_id);          // [123,"e-1"]
//   JsonArrayWriter list(value.member("opens"));
//   for (const Open& open : opens) JsonArrayWriter(list.element()).integer(open.at);
class JsonArrayWriter {
 public:
  explicit JsonArrayWriter(std::string& out) : out_(out) { out_ += '['; }
  ~JsonArrayWriter() { close(); }
  JsonArrayWriter(const JsonArrayWriter&) = delete;
  JsonArrayWriter& operator=(const JsonArrayWriter&) = delete;

  JsonArrayWriter& string(std::string_view value);
  JsonArrayWriter& integer(int64_t value);
  JsonArrayWriter& unsignedInteger(uint64_t value);
  JsonArrayWriter& json(const Json& value);
  // Starts the next element and returns the buffer, into which the caller then appends exactly
  // one JSON value (a nested writer, appendJson...).
  std::string& element();
  void close();

 private:
  std::string& out_;
  bool first_ = true;
  bool closed_ = false;
};

}  // namespace orion
