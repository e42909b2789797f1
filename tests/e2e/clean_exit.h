// The end of most e2e tests: SIGTERM the real binary and expect it to exit 0 in time (the
// documented clean shutdown), with its stderr in the failure message.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>

#include "child_process.h"

namespace orion::testing {

inline void stopAndExpectCleanExit(ChildProcess& process,
                                   std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  ASSERT_TRUE(process.signal(SIGTERM));
  auto code = process.waitExit(timeout);
  ASSERT_TRUE(code.has_value()) << process.err();
  EXPECT_EQ(*code, 0) << process.err();
}

}  // namespace orion::testing
