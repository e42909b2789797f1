#include "contracts/failure_report.h"

#include <algorithm>
#include <array>
#include <charconv>

namespace orion::contracts {

namespace {

constexpr size_t kQuotedValueLimit = 64;

// valijson pushes one of these at every level above a real failure ("the child failed"); they add
// nothing once the failure below is reported.
constexpr std::array<std::string_view, 6> kWrapperPrefixes = {
    "Failed to validate against schema associated with property name",
    "Failed to validate against schema associated with pattern",
    "Failed to validate against additional properties schema",
    "Failed to validate against a conditional schema",
    "Failed to validate against child schema #",
    "Failed to validate item #",
};

bool startsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

bool isWrapper(std::string_view description) {
  return std::any_of(kWrapperPrefixes.begin(), kWrapperPrefixes.end(),
                     [&](std::string_view prefix) { return startsWith(description, prefix); });
}

std::string escapeToken(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

// Resolves valijson's context against the document: "[3]" is an index when the value there is an
// array, a key otherwise. Also returns the unescaped tokens for schema lookups.
std::string toPointer(const std::vector<std::string>& context, const Json& document,
                      std::vector<std::string>& tokens) {
  std::string pointer;
  const Json* node = &document;
  for (size_t i = 1; i < context.size(); ++i) {  // context[0] is "<root>"
    std::string_view step = context[i];
    if (step.size() >= 2 && step.front() == '[' && step.back() == ']') {
      step = step.substr(1, step.size() - 2);
    }
    tokens.emplace_back(step);
    pointer += "/" + escapeToken(step);
    if (node == nullptr) continue;
    if (node->is_array()) {
      size_t index = 0;
      auto [end, error] = std::from_chars(step.data(), step.data() + step.size(), index);
      node = (error == std::errc() && end == step.data() + step.size() && index < node->size())
                 ? &(*node)[index]
                 : nullptr;
    } else if (node->is_object()) {
      auto it = node->find(std::string(step));
      node = it != node->end() ? &*it : nullptr;
    } else {
      node = nullptr;
    }
  }
  return pointer;
}

// Finds a subschema at `tokens` (below `schema`) that declares `keyword`, looking through
// properties, items, additionalProperties and the allOf/anyOf/oneOf/then/else branches. Used only
// to word a message, so the first match is good enough.
const Json* findKeyword(const Json& schema, const std::vector<std::string>& tokens, size_t depth,
                        std::string_view keyword) {
  if (!schema.is_object()) return nullptr;
  if (depth == tokens.size()) {
    auto it = schema.find(keyword);
    if (it != schema.end()) return &*it;
  } else {
    const std::string& token = tokens[depth];
    if (auto props = schema.find("properties"); props != schema.end() && props->is_object()) {
      if (auto it = props->find(token); it != props->end()) {
        if (const Json* found = findKeyword(*it, tokens, depth + 1, keyword)) return found;
      }
    }
    for (std::string_view child : {"items", "additionalProperties"}) {
      if (auto it = schema.find(child); it != schema.end() && it->is_object()) {
        if (const Json* found = findKeyword(*it, tokens, depth + 1, keyword)) return found;
      }
    }
  }
  for (std::string_view branch : {"then", "else"}) {
    if (auto it = schema.find(branch); it != schema.end()) {
      if (const Json* found = findKeyword(*it, tokens, depth, keyword)) return found;
    }
  }
  for (std::string_view list : {"allOf", "anyOf", "oneOf"}) {
    if (auto it = schema.find(list); it != schema.end() && it->is_array()) {
      for (const Json& sub : *it) {
        if (const Json* found = findKeyword(sub, tokens, depth, keyword)) return found;
      }
    }
  }
  return nullptr;
}

std::string joinValues(const Json& values) {
  std::string out;
  for (const Json& value : values) {
    if (!out.empty()) out += ", ";
    out += value.dump();
  }
  return out;
}

// Extracts 'name' from "... 'name'." (valijson quotes the property in its messages).
std::string quotedName(std::string_view description) {
  const size_t last = description.rfind('\'');
  if (last == std::string_view::npos || last == 0) return {};
  const size_t first = description.rfind('\'', last - 1);
  if (first == std::string_view::npos) return {};
  return std::string(description.substr(first + 1, last - first - 1));
}

ValidationFailure describe(const RawFailure& raw, const Json& document, const Json& schema) {
  std::vector<std::string> tokens;
  std::string pointer = toPointer(raw.context, document, tokens);
  const std::string_view text = raw.description;
  auto lookup = [&](std::string_view keyword) { return findKeyword(schema, tokens, 0, keyword); };

  if (startsWith(text, "Missing required property")) {
    return {pointer + "/" + escapeToken(quotedName(text)), "required property is missing"};
  }
  if (startsWith(text, "Object contains a property that could not be validated")) {
    return {pointer + "/" + escapeToken(quotedName(text)),
            "unknown property (the schema allows no other properties here)"};
  }
  if (startsWith(text, "Failed to match expected value set by 'const'")) {
    if (const Json* value = lookup("const")) return {pointer, "must be " + value->dump()};
    return {pointer, "does not equal the constant the schema requires"};
  }
  if (startsWith(text, "Failed to match against any enum values")) {
    if (const Json* values = lookup("enum"); values != nullptr && values->is_array()) {
      return {pointer, "must be one of: " + joinValues(*values)};
    }
    return {pointer, "is not one of the allowed values"};
  }
  if (startsWith(text, "Value type not permitted by 'type'")) {
    if (const Json* type = lookup("type")) {
      return {pointer, "must be of type " +
                           (type->is_string() ? type->get<std::string>() : joinValues(*type))};
    }
    return {pointer, "has the wrong type"};
  }
  if (startsWith(text, "Failed to validate against exactly one child schema")) {
    return {pointer, "matches more than one of the oneOf alternatives"};
  }
  if (startsWith(text, "Failed to validate against any child schemas allowed by oneOf")) {
    return {pointer, "matches none of the oneOf alternatives"};
  }
  if (startsWith(text, "Failed to validate against any schemas allowed by anyOf")) {
    return {pointer, "matches none of the anyOf alternatives"};
  }
  std::string message(text);
  if (!message.empty() && message.back() == '.') message.pop_back();
  return {pointer, message};
}

}  // namespace

std::string formatFailureMessage(std::string_view format, std::string_view value) {
  std::string quoted(value.substr(0, kQuotedValueLimit));
  if (value.size() > kQuotedValueLimit) quoted += "...";
  if (format == "uuid") {
    return "'" + quoted + "' is not a UUID (format: uuid, 8-4-4-4-12 hex digits)";
  }
  return "'" + quoted +
         "' is not an RFC 3339 date-time with a time zone offset (format: date-time, e.g. "
         "2026-01-14T12:00:00.123456Z)";
}

void appendFailures(const std::vector<RawFailure>& raw, const Json& document, const Json& schema,
                    std::vector<ValidationFailure>& out) {
  const bool has_specific = std::any_of(raw.begin(), raw.end(), [](const RawFailure& failure) {
    return !isWrapper(failure.description);
  });
  const size_t first_new = out.size();
  for (const RawFailure& failure : raw) {
    if (has_specific && isWrapper(failure.description)) continue;
    ValidationFailure described = describe(failure, document, schema);
    const bool duplicate =
        std::any_of(out.begin() + static_cast<std::ptrdiff_t>(first_new), out.end(),
                    [&](const ValidationFailure& seen) {
                      return seen.pointer == described.pointer && seen.message == described.message;
                    });
    if (!duplicate) out.push_back(std::move(described));
  }
}

}  // namespace orion::contracts
