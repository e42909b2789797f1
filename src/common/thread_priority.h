// Background threads: work that is beside the decision path (the audit trail's writer and its
// index, memory's bus subscriptions, the dedup persister, state-store compaction) runs at a lower
// scheduling priority than the threads that turn an event into a decision, so on a busy machine
// it takes the CPU they leave instead of delaying them. On Linux each thread has a nice value of
// its own; lowerThisThreadPriority raises the calling thread's by kBackgroundNiceIncrement (at
// most to 19). State-store compactions, which may lag without harm, go further:
// makeThisThreadIdle.
//
// Measured (docs/benchmarks.md, stops 26 and 27): decisions in a burst through Redis ~14 % faster
// on a 2-core machine; the background work catches up after.
#pragma once

#include "common/status.h"

namespace orion {

constexpr int kBackgroundNiceIncrement = 10;

// Lowers the calling thread's priority by `increment` nice levels. An error (a platform without
// per-thread priorities, a sandbox that forbids it) changes nothing else; callers log it at debug.
Status lowerThisThreadPriority(int increment = kBackgroundNiceIncrement);

// Puts the calling thread in the idle scheduling class (Linux SCHED_IDLE): it runs only on a CPU
// no other thread of a normal class wants, and a normal thread that wakes takes the CPU from it
// at once. A thread at a lowered nice value, by contrast, keeps the CPU for the rest of its time
// slice (milliseconds) once it has it, while a decision waits behind it. For work that may fall
// arbitrarily far behind on a busy machine without harm (a compaction only leaves the log longer
// meanwhile); not for work whose backlog grows memory, holds acknowledgements, or is read by
// someone waiting (the audit index: the API answers from it as it is).
Status makeThisThreadIdle();

}  // namespace orion
