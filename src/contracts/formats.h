// Internal to the contracts module: the `format` and `pattern` checks every validator of a
// contract schema uses (valijson through custom constraints, and FastCheck), so both give the same
// answer by construction.
#pragma once

#include <optional>
#include <regex>
#include <string>
#include <string_view>

#include "contracts/simple_pattern.h"

namespace orion::contracts {

enum class SchemaFormat { kDateTime, kUuid };

// "date-time" or "uuid"; nullopt for any other name.
std::optional<SchemaFormat> parseSchemaFormat(std::string_view name);
std::string_view schemaFormatName(SchemaFormat format);

// True when `text` is a valid value of `format` (RFC 3339 date-time with 'T' and an offset; a
// UUID in 8-4-4-4-12 hex form).
bool matchesFormat(SchemaFormat format, std::string_view text);

// A compiled `pattern`, built once per schema and immutable (matching a const std::regex is
// thread-safe). The simple shapes ORION's schemas use get a linear matcher (simple_pattern.h);
// anything else gets std::regex, never its recursive executor on long input (it overflows the
// stack around 100k characters). The pattern must be a valid ECMAScript regex (checked by
// compiling the schema) or the constructor throws std::regex_error.
class SchemaPattern {
 public:
  explicit SchemaPattern(const std::string& pattern);

  // JSON Schema patterns are unanchored: search, not match.
  bool matches(const std::string& value) const;

 private:
  std::optional<SimplePattern> simple_;
  std::optional<std::regex> fast_;
  std::optional<std::regex> safe_;
};

}  // namespace orion::contracts
