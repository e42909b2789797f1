// Identifiers: a new UUID for every document ORION creates, and a fast syntax check used by the
// contract validator for `format: uuid`.
//
// New ids are UUIDv7 (RFC 9562): the first 48 bits are the Unix time in milliseconds, the next 12
// a fraction of that millisecond (the RFC's "replace leftmost random bits with increased clock
// precision"), and the last 62, after the variant, are random. So ids made later sort after ids
// made earlier (to within 1/4096 ms), and every store that keys records by id (the audit index's
// B-trees, the modules' tables) inserts a new one near its end instead of at a random place: at
// 1 000 events/s the audit index wrote ~24 MB/s with random (version 4) ids, ~3 MB/s with these
// (docs/benchmarks.md, stop 28). An id tells when it was made, to the millisecond, which the
// document it names says in its timestamp anyway. Ids made elsewhere (the original ORION makes
// version 4) are accepted like any UUID.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"

namespace orion {

// A new UUIDv7, lower-case canonical form ("8-4-4-4-12" hex digits), for the time now.
// Thread-safe: each thread has its own random generator, seeded from the OS.
std::string newUuid();
// The same for the time `now` (what newUuid() uses, given; for tests).
std::string newUuidAt(WallTime now);

// The 16 bytes a UUID in canonical form (any version, either case) stands for, or std::nullopt
// when `id` is not one.
std::optional<std::array<uint8_t, 16>> uuidBytes(std::string_view id);

// The Unix time in milliseconds a UUIDv7 carries (its first 48 bits), or std::nullopt when `id`
// is not a canonical UUID of version 7.
std::optional<uint64_t> uuidV7Millis(std::string_view id);

// True when `text` is a UUID in canonical 8-4-4-4-12 form (any version, either case), as JSON
// Schema's `format: uuid` (RFC 4122) requires.
bool isUuid(std::string_view text);

}  // namespace orion
