// The fast path of parseJson (common/json.h). nlohmann's parser reads a byte at a time through
// its lexer and inserts every member into its std::map with a full lookup; on the Redis bus it
// was half of all the instructions the bus spends per message (docs/benchmarks.md, stop 23).
//
// parseJsonFast parses the common subset of JSON that ORION's documents use and gives up on
// anything else, leaving it to nlohmann: it returns a document only when nlohmann would parse the
// same text to an equal document (same values, same number types: unsigned for a non-negative
// integer, signed for a negative one, double for a fraction or exponent; the last of duplicate
// keys wins), and std::nullopt otherwise. It gives up on: a \u escape, a control character or
// malformed UTF-8 in a string, a byte-order mark, an integer beyond 64 bits, a number beyond
// double, nesting deeper than 128, and any syntax error (nlohmann then reports the error with its
// position). tests/unit/common/json_fast_parse_test.cc holds it to nlohmann over random and mutated
// texts.
#pragma once

#include <optional>
#include <string_view>

#include "common/json.h"

namespace orion {

std::optional<Json> parseJsonFast(std::string_view text);

}  // namespace orion
