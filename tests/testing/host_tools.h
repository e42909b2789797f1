// What tests need of the machine they run on: finding a real component's program, whether a
// missing one fails (CI) or skips the test, and free loopback ports.
#pragma once

#include <string>

namespace orion::testing {

// Finds `name` on $PATH ("" if absent).
std::string findExecutable(const std::string& name);

// Whether a test must fail rather than skip when a real component is missing: CI=true.
bool runningInCi();

// A loopback TCP port nobody listens on right now (-1 if none could be found). Another process
// may take it before the caller binds it: servers that can, retry with another.
int freeLoopbackPort();

}  // namespace orion::testing

// Skips (or, under CI=true, fails) the current test when `reason` is not empty.
#define ORION_REQUIRE_COMPONENT(reason)                                                     \
  do {                                                                                      \
    std::string orion_missing_ = (reason);                                                  \
    if (!orion_missing_.empty()) {                                                          \
      if (::orion::testing::runningInCi()) FAIL() << orion_missing_ << " (required in CI)"; \
      GTEST_SKIP() << orion_missing_;                                                       \
    }                                                                                       \
  } while (0)
