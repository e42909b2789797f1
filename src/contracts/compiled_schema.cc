#include "contracts/compiled_schema.h"

#include <array>
#include <exception>
#include <memory>
#include <new>
#include <optional>
#include <regex>
#include <string_view>
#include <utility>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/constraint_builder.hpp>
#include <valijson/constraints/concrete_constraints.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "contracts/failure_report.h"
#include "contracts/formats.h"

namespace orion::contracts {

namespace {

// What `format` and `pattern` are renamed to in the copy valijson compiles, so valijson's own
// checks never run and ours do instead (see FormatConstraint and PatternConstraint).
constexpr std::string_view kFormatKeyword = "x-orion-format";
constexpr std::string_view kPatternKeyword = "x-orion-pattern";

class FormatConstraint final : public valijson::constraints::PolyConstraint {
 public:
  explicit FormatConstraint(SchemaFormat format) : format_(format) {}

  bool validate(const valijson::adapters::Adapter& target, const std::vector<std::string>& context,
                valijson::ValidationResults* results) const override {
    // Like every JSON Schema format, it only constrains strings; `type` rejects the rest.
    if (!target.isString()) return true;
    const std::string text = target.asString();
    const bool ok = matchesFormat(format_, text);
    if (!ok && results != nullptr) {
      results->pushError(context, formatFailureMessage(schemaFormatName(format_), text));
    }
    return ok;
  }

 private:
  Constraint* cloneInto(void* memory) const override {
    return new (memory) FormatConstraint(*this);
  }
  size_t sizeOf() const override { return sizeof(FormatConstraint); }

  SchemaFormat format_;
};

class PatternConstraint final : public valijson::constraints::PolyConstraint {
 public:
  PatternConstraint(std::shared_ptr<const SchemaPattern> pattern, std::string text)
      : pattern_(std::move(pattern)), text_(std::move(text)) {}

  bool validate(const valijson::adapters::Adapter& target, const std::vector<std::string>& context,
                valijson::ValidationResults* results) const override {
    if (!target.isString()) return true;
    const bool ok = pattern_->matches(target.asString());
    if (!ok && results != nullptr) {
      results->pushError(context, "does not match the pattern " + text_);
    }
    return ok;
  }

 private:
  Constraint* cloneInto(void* memory) const override {
    return new (memory) PatternConstraint(*this);
  }
  size_t sizeOf() const override { return sizeof(PatternConstraint); }

  std::shared_ptr<const SchemaPattern> pattern_;
  std::string text_;
};

class PatternConstraintBuilder final : public valijson::ConstraintBuilder {
 public:
  valijson::constraints::Constraint* make(const valijson::adapters::Adapter& value) const override {
    // rewriteSchema() already compiled the pattern once, so this cannot throw regex_error.
    std::string text = value.asString();
    auto compiled = std::make_shared<const SchemaPattern>(text);
    return new PatternConstraint(std::move(compiled), std::move(text));
  }
};

class FormatConstraintBuilder final : public valijson::ConstraintBuilder {
 public:
  valijson::constraints::Constraint* make(const valijson::adapters::Adapter& value) const override {
    // rewriteSchema() only lets the two supported names through.
    return new FormatConstraint(*parseSchemaFormat(value.asString()));
  }
};

// Draft 2020-12 keywords that valijson 1.0 (a draft 7 validator) would silently ignore. A schema
// using one would look enforced and not be, so compiling it fails instead.
// `patternProperties` is refused too: valijson builds its std::regex on every check and matches
// with the recursive executor (see kRecursiveRegexLimit).
constexpr std::array<std::string_view, 12> kUnsupportedKeywords = {
    "unevaluatedProperties", "unevaluatedItems", "prefixItems",    "dependentRequired",
    "dependentSchemas",      "$dynamicRef",      "$dynamicAnchor", "$recursiveRef",
    "$recursiveAnchor",      "minContains",      "maxContains",    "patternProperties"};
constexpr std::array<std::string_view, 9> kSubschemaKeywords = {
    "items", "additionalItems", "additionalProperties", "not", "if", "then",
    "else",  "contains",        "propertyNames"};
constexpr std::array<std::string_view, 3> kSubschemaListKeywords = {"allOf", "anyOf", "oneOf"};
constexpr std::array<std::string_view, 3> kSubschemaMapKeywords = {"properties", "$defs",
                                                                   "definitions"};

template <size_t N>
bool isOneOf(const std::array<std::string_view, N>& list, std::string_view key) {
  for (std::string_view item : list) {
    if (item == key) return true;
  }
  return false;
}

std::string escapePointerToken(std::string_view token) {
  std::string out;
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

// Walks every subschema of `node` (only keyword positions, never `enum`/`const`/`default` data or
// property names) and renames `format`. `path` is the JSON pointer of `node` in the schema.
Status rewriteSchema(Json& node, const std::string& path) {
  if (node.is_boolean()) return Status::ok();
  if (!node.is_object()) {
    return invalidArgument("schema " + (path.empty() ? "/" : path) + ": expected a schema object");
  }
  for (auto& [key, value] : node.items()) {
    const std::string at = path + "/" + escapePointerToken(key);
    if (isOneOf(kUnsupportedKeywords, key)) {
      return invalidArgument("schema " + at + ": keyword '" + key + "' is not supported");
    }
    if (key == kFormatKeyword || key == kPatternKeyword) {
      return invalidArgument("schema " + at + ": reserved keyword");
    }
    if (key == "format") {
      if (!value.is_string() || (value != "date-time" && value != "uuid")) {
        return invalidArgument("schema " + at + ": unsupported format " + value.dump() +
                               " (supported: \"date-time\", \"uuid\")");
      }
    } else if (key == "pattern") {
      if (!value.is_string()) return invalidArgument("schema " + at + ": expected a string");
      try {
        std::regex check(value.get<std::string>(), std::regex::ECMAScript);
      } catch (const std::regex_error& e) {
        return invalidArgument("schema " + at + ": invalid regular expression " + value.dump() +
                               ": " + e.what());
      }
    } else if (isOneOf(kSubschemaKeywords, key)) {
      if (value.is_array()) {  // draft 7 tuple form of `items`
        for (size_t i = 0; i < value.size(); ++i) {
          ORION_RETURN_IF_ERROR(rewriteSchema(value[i], at + "/" + std::to_string(i)));
        }
      } else {
        ORION_RETURN_IF_ERROR(rewriteSchema(value, at));
      }
    } else if (isOneOf(kSubschemaListKeywords, key)) {
      if (!value.is_array()) return invalidArgument("schema " + at + ": expected an array");
      for (size_t i = 0; i < value.size(); ++i) {
        ORION_RETURN_IF_ERROR(rewriteSchema(value[i], at + "/" + std::to_string(i)));
      }
    } else if (isOneOf(kSubschemaMapKeywords, key)) {
      if (!value.is_object()) return invalidArgument("schema " + at + ": expected an object");
      for (auto& [name, subschema] : value.items()) {
        ORION_RETURN_IF_ERROR(rewriteSchema(subschema, at + "/" + escapePointerToken(name)));
      }
    }
  }
  for (auto [from, to] : {std::pair{std::string_view("format"), kFormatKeyword},
                          std::pair{std::string_view("pattern"), kPatternKeyword}}) {
    if (auto it = node.find(from); it != node.end()) {
      Json value = *it;
      node.erase(it);
      node[std::string(to)] = std::move(value);
    }
  }
  return Status::ok();
}

// valijson's Validator keeps a mutable regex cache (used for `patternProperties`, since ORION's
// own constraint handles `pattern`); one per thread keeps check() lock-free.
valijson::Validator& threadValidator() {
  thread_local valijson::Validator validator;
  return validator;
}

}  // namespace

struct CompiledSchema::State {
  Json original;
  valijson::Schema compiled;
};

CompiledSchema::CompiledSchema(std::unique_ptr<State> state) : state_(std::move(state)) {}
CompiledSchema::~CompiledSchema() = default;
CompiledSchema::CompiledSchema(CompiledSchema&&) noexcept = default;
CompiledSchema& CompiledSchema::operator=(CompiledSchema&&) noexcept = default;

Result<CompiledSchema> CompiledSchema::compile(const Json& schema) {
  if (!schema.is_object()) return invalidArgument("schema /: expected a JSON object");
  if (auto it = schema.find("$schema");
      it != schema.end() && *it != "https://json-schema.org/draft/2020-12/schema") {
    return invalidArgument(
        "schema /$schema: expected \"https://json-schema.org/draft/2020-12/schema\"");
  }
  Json rewritten = schema;
  ORION_RETURN_IF_ERROR(rewriteSchema(rewritten, ""));

  auto state = std::make_unique<State>();
  state->original = schema;
  try {
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    parser.addConstraintBuilder(std::string(kFormatKeyword), new FormatConstraintBuilder());
    parser.addConstraintBuilder(std::string(kPatternKeyword), new PatternConstraintBuilder());
    valijson::adapters::NlohmannJsonAdapter adapter(rewritten);
    parser.populateSchema(adapter, state->compiled);
  } catch (const std::exception& e) {
    return invalidArgument(std::string("schema does not compile: ") + e.what());
  }
  return CompiledSchema(std::move(state));
}

bool CompiledSchema::check(const Json& document, std::vector<ValidationFailure>* failures) const {
  const valijson::adapters::NlohmannJsonAdapter adapter(document);
  valijson::Validator& validator = threadValidator();
  try {
    // The fast pass stops at the first failure and records nothing; only an invalid document
    // pays for the second pass that collects every failure with its context.
    if (validator.validate(state_->compiled, adapter, nullptr)) return true;
    if (failures != nullptr) {
      valijson::ValidationResults results;
      validator.validate(state_->compiled, adapter, &results);
      std::vector<RawFailure> raw;
      for (const auto& error : results) raw.push_back({error.context, error.description});
      appendFailures(raw, document, state_->original, *failures);
    }
  } catch (const std::exception& e) {
    // std::regex may throw (error_complexity, error_stack) on hostile input: refuse the document.
    if (failures != nullptr) {
      failures->push_back({"", std::string("validator error: ") + e.what()});
    }
  }
  return false;
}

}  // namespace orion::contracts
