// Internal to the contracts module: a second evaluator of a contract schema that answers only
// "is this document valid?", without allocating, for the common case of a valid document.
//
// valijson stays the reference: it reports the failures, and the registry asks it whenever
// FastCheck says "invalid". FastCheck must therefore never accept what valijson rejects. It
// implements exactly the keywords ORION's contracts use, with valijson's semantics in strict-type
// mode (which are those of JSON Schema, quirks included — see fast_check.cc); a schema using
// anything else gets no FastCheck at all and valijson alone decides. The differential tests
// (tests/contract/fast_check_test.cc) and the contracts fuzz target hold the two to the same
// answers.
//
// Why it exists: valijson costs ~2.5 µs per event (context strings, allocations, map lookups),
// and every document is validated twice (on publish and on consume); FastCheck does it in a small
// fraction of that (bench/contracts_bench).
//
// Immutable after compile(); accepts() may be called from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/json.h"

namespace orion::contracts {

class SchemaPattern;

class FastCheck {
 public:
  ~FastCheck();
  FastCheck(FastCheck&&) noexcept;
  FastCheck& operator=(FastCheck&&) noexcept;

  // The evaluator of `schema` (a draft 2020-12 document as written, with `format` and `pattern`),
  // or nullopt when it uses a keyword or a value shape FastCheck does not implement.
  static std::optional<FastCheck> compile(const Json& schema);

  // True only when `document` is valid against the schema.
  bool accepts(const Json& document) const { return eval(0, document); }

 private:
  struct Node;
  FastCheck();
  bool eval(uint32_t node, const Json& value) const;
  bool evalObject(const Node& node, const Json& value) const;
  bool evalString(const Node& node, const std::string& text) const;
  std::optional<uint32_t> build(const Json& schema);

  std::vector<Node> nodes_;
};

}  // namespace orion::contracts
