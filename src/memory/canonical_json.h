// The canonical form of a document in the audit trail (docs/audit_log_format.md, "Canonical
// form"), written straight into a buffer the caller owns.
//
// The canonical form is defined as what dumpJson() (common/json.h: nlohmann::json::dump with
// invalid UTF-8 replaced by U+FFFD) produces: members sorted by key, no whitespace, strings with
// only '"', '\' and control characters escaped, integers in decimal, doubles as nlohmann writes
// them. appendCanonicalJson() produces the same bytes for every value — the trail's hashes, the
// duplicate keys rebuilt from the log and `orion audit verify --deep` all depend on that — but
// without building a temporary string per call or per value: it is what the bus threads run for
// every record, hundreds of thousands of times a second.
//
// Valid UTF-8 strings and integers are written here; the rare values whose text takes a long
// specification to reproduce (doubles, strings holding invalid UTF-8, binary values) are written
// by nlohmann itself, so they cannot drift from it. Pure functions, any thread.
#pragma once

#include <string>
#include <string_view>

#include "common/json.h"

namespace orion::memory {

// Appends `value` in canonical form: exactly the bytes of dumpJson(value).
void appendCanonicalJson(std::string& out, const Json& value);

// Appends `text` as a canonical JSON string, quotes included: exactly dumpJson(Json(text)).
void appendJsonString(std::string& out, std::string_view text);

// Whether `text` is well-formed UTF-8 (Unicode 15, table 3-7: no overlong forms, no surrogates,
// nothing above U+10FFFF).
bool isValidUtf8(std::string_view text);

}  // namespace orion::memory
