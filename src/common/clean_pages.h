// Giving back the clean file pages a process mapped and no longer uses.
//
// Starting ORION runs a great deal of code it will not run again: reading the configuration
// and the policies, compiling the JSON Schemas, opening SQLite, initialising OpenSSL. Handling
// an incident runs much of the rest. That code is spread over the `orion` binary and the shared
// libraries, and the kernel maps each page it touches into the process together with up to
// 64 KiB of neighbours already in the page cache (fault-around): ~15 MiB of the ~19.5 MiB an
// idle `orion run` held, against ~2 MiB of code and read-only data it touches while idle.
//
// Those pages are clean copies of files. Unmapping them (madvise MADV_DONTNEED) loses nothing:
// they stay in the page cache, shared with every other process that maps the same files and
// reclaimable by the kernel when it needs memory; code that runs again maps its page back with
// a minor fault. Only mappings that are file-backed, private, not writable and hold no page of
// the process's own are released. A mapping with an anonymous page (a relocation the dynamic
// loader wrote, a breakpoint a debugger planted) is left whole, since dropping that page would
// bring back the file's bytes; nothing is released while a tracer (gdb, strace) is attached.
//
// The daemon's main thread calls it when start-up is over and after busy spells
// (daemon/page_release.h; docs/benchmarks.md, "Idle memory"). Any thread may call it; it
// blocks for a read of /proc/self/smaps and one madvise per mapping (about a millisecond).
#pragma once

#include <cstddef>
#include <cstdint>
#include <istream>
#include <string>
#include <vector>

#include "common/status.h"

namespace orion {

// One mapping of /proc/<pid>/smaps that can be released.
struct ReleasableMapping {
  std::uintptr_t start = 0;
  std::uintptr_t end = 0;
  std::size_t resident_bytes = 0;  // its `Rss:` when smaps was read
  std::string path;
};

// The mappings of a /proc/<pid>/smaps text (read line by line) that hold only clean file pages:
// a path (not `[vdso]`, `[heap]` or an anonymous mapping), permissions `r--p` or `r-xp`, no
// anonymous and no locked pages, no device, I/O or huge-page flag. A mapping whose fields cannot
// be read is not returned, so text that is not smaps gives an empty list.
std::vector<ReleasableMapping> releasableMappings(std::istream& smaps);

// What releaseCleanPages() did.
struct ReleasedPages {
  std::size_t mappings = 0;        // mappings released
  std::size_t resident_bytes = 0;  // what they held resident just before
  bool traced = false;             // a tracer was attached: nothing was released
};

// Releases this process's releasableMappings() that belong to loaded ELF objects. Fails
// (releasing nothing) only when /proc/self/smaps cannot be read; a mapping the kernel refuses is
// skipped and not counted.
Result<ReleasedPages> releaseCleanPages();

}  // namespace orion
