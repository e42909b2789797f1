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

// The string at `key` of `object`, or `fallback` when `object` is not an object, has no `key`, or
// holds something other than a string there. For documents from outside (an engine, a server)
// whose shape is not guaranteed: Json::value() throws on a type mismatch; this never throws.
std::string stringOr(const Json& object, std::string_view key, std::string_view fallback = "");

// Compact one-line serialisation (what goes on the wire and into JSONL files). Invalid UTF-8 is
// replaced rather than thrown on.
std::string dumpJson(const Json& doc);

}  // namespace orion
