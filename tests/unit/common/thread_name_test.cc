#include "common/thread_name.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>

namespace orion {
namespace {

TEST(ThreadNameTest, AThreadCarriesTheNameItGaveItself) {
  std::string seen;
  std::thread([&] {
    nameThisThread("guardian-sweep");
    seen = thisThreadName();
  }).join();
  EXPECT_EQ(seen, "guardian-sweep");
}

TEST(ThreadNameTest, ANameLongerThanTheKernelKeepsIsCutAtFifteenBytes) {
  std::string seen;
  std::thread([&] {
    nameThisThread("bus-consumer-incident-brain");
    seen = thisThreadName();
  }).join();
  EXPECT_EQ(seen, "bus-consumer-in");
}

}  // namespace
}  // namespace orion
