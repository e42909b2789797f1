// Internal to the contracts module: turns valijson's failure list into ORION's
// ValidationFailure (a JSON pointer into the document and a readable message).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"
#include "contracts/registry.h"

namespace orion::contracts {

// One failure as valijson reports it: its context path ("<root>", "[name]", "[0]", ...) and text.
struct RawFailure {
  std::vector<std::string> context;
  std::string description;
};

// Appends the readable form of `raw` to `out`: pointers resolved against `document` (valijson
// writes object keys and array indices alike as "[x]"), required/unknown-property failures
// pointing at the property itself, messages completed from `schema` (the allowed enum values,
// the const, the type), pure "a child failed" wrappers dropped when a specific failure
// exists, duplicates removed.
void appendFailures(const std::vector<RawFailure>& raw, const Json& document, const Json& schema,
                    std::vector<ValidationFailure>& out);

// The message of a failed `format` check, quoting (a bounded prefix of) the bad value.
std::string formatFailureMessage(std::string_view format, std::string_view value);

}  // namespace orion::contracts
