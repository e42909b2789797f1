// Identifiers: random UUIDv4 for every document ORION creates, and a fast syntax check used by
// the contract validator for `format: uuid`.
#pragma once

#include <string>
#include <string_view>

namespace orion {

// A new random (version 4, RFC 4122 variant) UUID in lower-case canonical form
// ("8-4-4-4-12" hex digits). Thread-safe: each thread has its own generator, seeded from the OS.
std::string newUuid();

// True when `text` is a UUID in canonical 8-4-4-4-12 form (any version, either case), as JSON
// Schema's `format: uuid` (RFC 4122) requires.
bool isUuid(std::string_view text);

}  // namespace orion
