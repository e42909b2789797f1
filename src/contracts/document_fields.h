// Internal to the contracts module: reading and writing the fields of a contract document for the
// typed views in documents.h. Every reader fails with kInvalidArgument naming the field and what
// was expected, so a view never trusts its input.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/json.h"
#include "common/status.h"
#include "contracts/documents.h"

namespace orion::contracts::fields {

// The document is an object whose "version" is kContractVersion.
Status checkEnvelope(const Json& document);
// A new document: {"version": kContractVersion}, the fields to be added.
Json envelope();

Result<std::string> requiredString(const Json& object, std::string_view key);
Result<std::optional<std::string>> optionalString(const Json& object, std::string_view key);
Result<WallTime> requiredTime(const Json& object, std::string_view key);
Result<bool> requiredBool(const Json& object, std::string_view key);
Result<std::optional<bool>> optionalBool(const Json& object, std::string_view key);
Result<int64_t> requiredInteger(const Json& object, std::string_view key);
// An object member ({} when absent and not required).
Result<Json> objectMember(const Json& object, std::string_view key, bool required);
Result<std::vector<std::string>> stringArray(const Json& object, std::string_view key);
Result<Tags> tags(const Json& object);  // absent → empty

// The wire names of an enum class, and the conversions both ways. parse() is exact (case
// matters) and its error lists the accepted names.
template <typename Enum, size_t N>
struct EnumNames {
  std::string_view what;  // "event severity", for error messages
  std::array<std::pair<Enum, std::string_view>, N> entries;

  std::string_view name(Enum value) const {
    for (const auto& [entry, text] : entries) {
      if (entry == value) return text;
    }
    return "?";
  }

  Result<Enum> parse(std::string_view text) const {
    for (const auto& [entry, name] : entries) {
      if (name == text) return entry;
    }
    std::string expected;
    for (const auto& [entry, name] : entries) {
      expected += expected.empty() ? "" : ", ";
      expected += name;
    }
    return invalidArgument("unknown " + std::string(what) + " '" + std::string(text) +
                           "' (expected one of: " + expected + ")");
  }
};

// Collects field reads and keeps the first error, so a fromJson reads like a list of fields:
//   Reader reader;
//   reader.read(requiredString(doc, "event_id"), event.event_id);
//   if (!reader.ok()) return reader.status();
class Reader {
 public:
  template <typename T, typename Out>
  void read(Result<T> result, Out& out) {
    if (!status_.isOk()) return;
    if (!result.isOk()) {
      status_ = result.status();
      return;
    }
    out = std::move(result).value();
  }
  void check(Status status) {
    if (status_.isOk()) status_ = std::move(status);
  }
  bool ok() const { return status_.isOk(); }
  Status status() const { return status_; }

 private:
  Status status_;
};

// Adds "tags" to `document` unless `tags` is empty.
void putTags(Json& document, const Tags& tags);

// Parses the string at `key` with `parse` (one of the parseX functions of documents.h), naming
// the field in the error.
template <typename Enum, typename Parse>
Result<Enum> requiredEnum(const Json& object, std::string_view key, Parse parse) {
  Result<std::string> text = requiredString(object, key);
  if (!text.isOk()) return text.status();
  Result<Enum> value = parse(*text);
  if (!value.isOk()) return value.status().withContext("field '" + std::string(key) + "'");
  return value;
}

}  // namespace orion::contracts::fields
