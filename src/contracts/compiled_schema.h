// Internal to the contracts module: one JSON Schema compiled for valijson, plus ORION's own
// `format` checks. The registry owns one CompiledSchema per contract type.
//
// Compilation rewrites a copy of the schema: every `format` keyword becomes a custom constraint
// that calls isRfc3339 / isUuid (valijson 1.0 would build a std::regex per date-time check), so
// formats are enforced wherever the schema declares them (properties, items, nested objects,
// oneOf/anyOf/allOf/if/then/else branches) with the same semantics as any other keyword. Every
// `pattern` likewise becomes a custom constraint compiled once: a linear matcher for the simple
// anchored shapes ORION uses (simple_pattern.h), std::regex otherwise, never std::regex's
// recursive executor on long input (it overflows the stack around 100k characters).
// Keywords valijson cannot enforce (unevaluatedProperties, prefixItems, ...) are refused at
// compile time rather than silently ignored.
//
// A CompiledSchema is immutable after compile() and may be used from any thread: check() uses a
// thread_local valijson Validator (it holds a mutable regex cache).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/json.h"
#include "common/status.h"
#include "contracts/registry.h"

namespace orion::contracts {

class CompiledSchema {
 public:
  ~CompiledSchema();
  CompiledSchema(CompiledSchema&&) noexcept;
  CompiledSchema& operator=(CompiledSchema&&) noexcept;

  // Compiles `schema` (a draft 2020-12 document as written). kInvalidArgument names the schema
  // location and what is wrong (not an object, unsupported keyword or format, valijson's error).
  static Result<CompiledSchema> compile(const Json& schema);

  // True when `document` is valid. When it is not and `failures` is non-null, appends one entry
  // per failure (JSON pointer into `document`, readable message).
  bool check(const Json& document, std::vector<ValidationFailure>* failures) const;

 private:
  struct State;
  explicit CompiledSchema(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace orion::contracts
