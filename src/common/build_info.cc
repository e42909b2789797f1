#include "common/build_info.h"

#include <dlfcn.h>

#include <cstdint>
#include <cstdlib>

#ifndef ORION_VERSION
#error "ORION_VERSION must be defined by the build (src/common/CMakeLists.txt)"
#endif
#ifndef ORION_BUILD_TYPE
#define ORION_BUILD_TYPE ""
#endif

namespace orion {

std::string_view orionVersion() { return ORION_VERSION; }
std::string_view orionBuildType() { return ORION_BUILD_TYPE; }

std::string allocatorInUse() {
  // jemalloc's control interface, looked up rather than linked so that every build compiles
  // this: present only when libjemalloc is loaded.
  using Mallctl = int (*)(const char*, void*, size_t*, void*, size_t);
  auto mallctl = reinterpret_cast<Mallctl>(dlsym(RTLD_DEFAULT, "mallctl"));
  if (mallctl != nullptr) {
    // Loaded is not enough: its malloc must be the one called. The bytes this thread allocated
    // through jemalloc grow by an allocation's size only if it is.
    auto allocated = [&]() -> uint64_t {
      uint64_t bytes = 0;
      size_t size = sizeof bytes;
      return mallctl("thread.allocated", &bytes, &size, nullptr, 0) == 0 ? bytes : 0;
    };
    uint64_t before = allocated();
    void* volatile probe = std::malloc(4096);
    uint64_t after = allocated();
    std::free(probe);
    const char* version = nullptr;
    size_t size = sizeof version;
    if (after >= before + 4096 && mallctl("version", &version, &size, nullptr, 0) == 0) {
      return "jemalloc " + std::string(version != nullptr ? version : "?");
    }
  }
  // The sanitizers replace malloc in their builds (and jemalloc is not linked there).
  if (dlsym(RTLD_DEFAULT, "__asan_init") != nullptr) return "AddressSanitizer's malloc";
#ifdef __GLIBC__
  return "glibc malloc";
#else
  return "system malloc";
#endif
}

}  // namespace orion
