#include "common/thread_name.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>

namespace orion {
namespace {

// The name a new thread reads back after giving itself `name`.
std::string nameSeenAfterNaming(const std::string& name) {
  std::string seen;
  std::thread([&] {
    nameThisThread(name);
    seen = thisThreadName();
  }).join();
  return seen;
}

TEST(ThreadNameTest, AThreadCarriesTheNameItGaveItself) {
  EXPECT_EQ(nameSeenAfterNaming("guardian-sweep"), "guardian-sweep");
}

TEST(ThreadNameTest, ANameLongerThanTheKernelKeepsIsCutAtFifteenBytes) {
  EXPECT_EQ(nameSeenAfterNaming("bus-consumer-incident-brain"), "bus-consumer-in");
}

}  // namespace
}  // namespace orion
