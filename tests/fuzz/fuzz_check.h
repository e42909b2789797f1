// FUZZ_CHECK(condition, what): a fuzz target's oracle. When the condition is false the target
// prints what went wrong and aborts, which both libFuzzer and tests/fuzz/fuzz_driver.cc report
// as a finding (with the input saved).
#pragma once

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(condition, what)                                                         \
  do {                                                                                      \
    if (!(condition)) {                                                                     \
      std::fprintf(stderr, "%s:%d: fuzz check failed: %s (%s)\n", __FILE__, __LINE__, what, \
                   #condition);                                                             \
      std::abort();                                                                         \
    }                                                                                       \
  } while (0)
