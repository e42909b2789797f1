// What this binary is: its version (the CMake project version) and build type, for `orion
// version`, the API's status and the orion_build_info metric.
#pragma once

#include <string_view>

namespace orion {

std::string_view orionVersion();
std::string_view orionBuildType();  // "Release", "Debug", … ("" when the build set none)

}  // namespace orion
