// What this binary is: its version (the CMake project version) and build type, for `orion
// version`, the API's status and the orion_build_info metric.
#pragma once

#include <string>
#include <string_view>

namespace orion {

std::string_view orionVersion();
std::string_view orionBuildType();  // "Release", "Debug", … ("" when the build set none)

// The malloc this process actually allocates with, found at run time: "jemalloc 5.3.0-…" when
// jemalloc's malloc serves this thread's allocations (the release build links it, see
// CMakeLists.txt ORION_JEMALLOC), "AddressSanitizer's malloc" in a sanitizer build, else
// "glibc malloc" (or "system malloc" off glibc).
std::string allocatorInUse();

}  // namespace orion
