#include "common/build_info.h"

#include <gtest/gtest.h>

namespace orion {
namespace {

TEST(BuildInfoTest, VersionIsTheProjectVersion) {
  EXPECT_FALSE(orionVersion().empty());
  EXPECT_NE(orionVersion().find('.'), std::string_view::npos) << orionVersion();
}

// Test executables are never linked with jemalloc (only the orion binary and the benches are):
// the allocator found at run time is the C library's, or the sanitizer's in that build. The
// e2e suite checks that the orion binary reports jemalloc when it was built with it.
TEST(BuildInfoTest, TheAllocatorInUseIsFoundAtRunTime) {
  std::string allocator = allocatorInUse();
#if defined(__SANITIZE_ADDRESS__)
  EXPECT_EQ(allocator, "AddressSanitizer's malloc");
#else
  EXPECT_EQ(allocator, "glibc malloc");
#endif
}

}  // namespace
}  // namespace orion
