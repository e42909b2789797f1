// Valid v1.0 documents of every contract type, shaped like the original's test fixtures, for the
// contract tests to start from and break one thing at a time.
#pragma once

#include <string_view>

#include "common/json.h"

namespace orion::contracts::testing {

inline constexpr std::string_view kUuidA = "0b7e7c1e-3f4a-4c55-9a2e-8f0e6f1d2c3b";
inline constexpr std::string_view kUuidB = "5d41402a-bc4b-4a76-b971-9d911017c592";
inline constexpr std::string_view kUuidC = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
inline constexpr std::string_view kTime = "2026-01-14T12:00:00.123456+00:00";

// A valid document of `type` (every contract type the registry knows); fails the test for others.
Json validDocument(std::string_view type);

// Every contract type with a fixture, i.e. every schema in contracts/.
const std::vector<std::string>& allTypes();

}  // namespace orion::contracts::testing
