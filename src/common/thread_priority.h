// Background threads: work that is beside the decision path (the audit trail's writer, its
// index, memory's bus subscriptions, the dedup persister, state-store compaction) runs at a lower
// scheduling priority than the threads that turn an event into a decision, so on a busy machine
// it takes the CPU they leave instead of delaying them. On Linux each thread has a nice value of
// its own; this raises the calling thread's by kBackgroundNiceIncrement (at most to 19).
//
// Measured (docs/benchmarks.md, stop 26): decisions in a burst through Redis ~14 % faster on a
// 2-core machine; the background work catches up after.
#pragma once

#include "common/status.h"

namespace orion {

constexpr int kBackgroundNiceIncrement = 10;

// Lowers the calling thread's priority by `increment` nice levels. An error (a platform without
// per-thread priorities, a sandbox that forbids it) changes nothing else; callers log it at debug.
Status lowerThisThreadPriority(int increment = kBackgroundNiceIncrement);

}  // namespace orion
