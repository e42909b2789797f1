#include "contracts/formats.h"

#include "common/ids.h"
#include "common/time.h"

namespace orion::contracts {

namespace {

// libstdc++'s default regex executor recurses once per matched character, so a long enough
// string (~100k characters against "^orion-[a-z0-9-]+$") overflows the stack and kills the
// process. Strings up to this length use that (faster) executor; longer ones use the
// polynomial-time, non-recursive one.
constexpr size_t kRecursiveRegexLimit = 512;

// RFC 3339 §5.6 (and JSON Schema) require 'T' between date and time; isRfc3339 is more lenient
// (it also reads the space separator RFC 3339 allows in prose), so the separator is checked here.
bool isSchemaDateTime(std::string_view text) {
  return text.size() > 10 && (text[10] == 'T' || text[10] == 't') && isRfc3339(text);
}

}  // namespace

std::optional<SchemaFormat> parseSchemaFormat(std::string_view name) {
  if (name == "date-time") return SchemaFormat::kDateTime;
  if (name == "uuid") return SchemaFormat::kUuid;
  return std::nullopt;
}

std::string_view schemaFormatName(SchemaFormat format) {
  return format == SchemaFormat::kUuid ? "uuid" : "date-time";
}

bool matchesFormat(SchemaFormat format, std::string_view text) {
  return format == SchemaFormat::kUuid ? isUuid(text) : isSchemaDateTime(text);
}

SchemaPattern::SchemaPattern(const std::string& pattern)
    : simple_(SimplePattern::compile(pattern)) {
  if (!simple_) {
    fast_.emplace(pattern, std::regex::ECMAScript);
    safe_.emplace(pattern, std::regex::ECMAScript | std::regex_constants::__polynomial);
  }
}

bool SchemaPattern::matches(const std::string& value) const {
  if (simple_) return simple_->matches(value);
  return std::regex_search(value, value.size() <= kRecursiveRegexLimit ? *fast_ : *safe_);
}

}  // namespace orion::contracts
