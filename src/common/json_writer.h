// ORION's JSON text, written straight into a buffer the caller owns: what dumpJson() (json.h)
// returns, the bytes on the wire, in the state logs and in the audit trail (docs/
// audit_log_format.md, "Canonical form").
//
// The form is defined as what nlohmann::json::dump(-1, ' ', false, error_handler_t::replace)
// produces: members sorted by key, no whitespace, strings with only '"', '\' and control
// characters escaped, invalid UTF-8 replaced by U+FFFD, integers in decimal, doubles as nlohmann
// writes them. appendJson() produces exactly those bytes for every value — the trail's hashes,
// the duplicate keys rebuilt from the log and `orion audit verify --deep` all depend on that —
// several times faster than nlohmann's serializer (which writes strings a byte at a time through
// an escaping state machine) and without a temporary string per value.
//
// Valid UTF-8 strings and integers are written here; the rare values whose text takes a long
// specification to reproduce (doubles, strings holding invalid UTF-8, binary values) are written
// by nlohmann itself, so they cannot drift from it. Pure functions, any thread.
#pragma once

#include <string>
#include <string_view>

#include "common/json.h"

namespace orion {

// Appends `value`: exactly the bytes of dumpJson(value).
void appendJson(std::string& out, const Json& value);

// Appends `text` as a JSON string, quotes included: exactly dumpJson(Json(text)).
void appendJsonString(std::string& out, std::string_view text);

// Whether `text` is well-formed UTF-8 (Unicode 15, table 3-7: no overlong forms, no surrogates,
// nothing above U+10FFFF).
bool isValidUtf8(std::string_view text);

}  // namespace orion
