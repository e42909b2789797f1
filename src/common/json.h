// ORION's JSON type. Every contract document is a Json; documents crossing the bus are shared as
// immutable `JsonPtr`s so a message is parsed once and read by every consumer without copies.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/status.h"

namespace orion {

using Json = nlohmann::json;
using JsonPtr = std::shared_ptr<const Json>;

// Parses `text`; a syntax error becomes kInvalidArgument naming the byte offset.
Result<Json> parseJson(std::string_view text);

// Compact one-line serialisation (what goes on the wire and into JSONL files). Invalid UTF-8 is
// replaced rather than thrown on.
std::string dumpJson(const Json& doc);

}  // namespace orion
