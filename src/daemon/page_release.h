// When the daemon gives back its clean file pages (common/clean_pages.h).
//
// Once when start-up is over (3 s after the modules started), then after each busy spell: when,
// at the end of a 30 s window, the process's resident file pages are at least 2 MiB above their
// level just after the last release, and the process used under 1 % of one CPU over the
// window. So the pages the first incident's code mapped (~6 MiB: validation, correlation,
// decisions, the audit trail and its SQLite index) are given back once things are quiet again.
// A steady idle daemon is left alone: what its idle work maps back (the watcher's samples, the
// sweeps, this check; 0.8-1.2 MiB) stays under the 2 MiB, so it is not released again and again
// only to map the same pages back. A busy one is left alone too.
//
// PageRelease is pure: readings in, a decision out, so the timing is tested without sleeping.
// readProcess() takes a reading of this process. Both are used by the daemon's main thread.
#pragma once

#include <chrono>
#include <cstddef>

#include "common/clock.h"

namespace orion::daemon {

class PageRelease {
 public:
  struct Reading {
    MonoTime at;
    Duration cpu{0};             // user + system CPU time of the process so far
    std::size_t file_bytes = 0;  // resident pages of files (and shared memory) it maps
  };
  struct Settings {
    Duration first_after = std::chrono::seconds(3);
    Duration window = std::chrono::seconds(30);
    std::size_t growth_bytes = std::size_t{2} << 20;
    double idle_cpu_share = 0.01;  // of one CPU, over the window
  };

  PageRelease(MonoTime started, Settings settings);
  explicit PageRelease(MonoTime started) : PageRelease(started, Settings{}) {}

  // Whether shouldRelease() wants a reading at `now` (the first release is due, or a window
  // ended); between those moments the caller need not read the process at all.
  bool needsReading(MonoTime now) const;
  // Whether to release now. A window whose end `reading` reached is closed (and the next one
  // starts), whatever the answer.
  bool shouldRelease(const Reading& reading);
  // The release was made; `after` is a reading taken right after it.
  void released(const Reading& after);

 private:
  const Settings settings_;
  const MonoTime first_at_;
  bool first_done_ = false;
  Reading window_start_;
  std::size_t baseline_file_bytes_ = 0;
};

// This process now: getrusage() for the CPU time, /proc/self/statm for the file pages (its
// "shared" field). A value that cannot be read is 0, which never makes a release due.
PageRelease::Reading readProcess(MonoTime now);

}  // namespace orion::daemon
