#include "common/build_info.h"

#ifndef ORION_VERSION
#error "ORION_VERSION must be defined by the build (src/common/CMakeLists.txt)"
#endif
#ifndef ORION_BUILD_TYPE
#define ORION_BUILD_TYPE ""
#endif

namespace orion {

std::string_view orionVersion() { return ORION_VERSION; }
std::string_view orionBuildType() { return ORION_BUILD_TYPE; }

}  // namespace orion
