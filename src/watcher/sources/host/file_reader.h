// Reads small kernel files (/proc/stat, /proc/meminfo, ...) with plain open()/read() into one
// buffer reused across calls: no iostreams and no allocation once the buffer has grown to the
// largest file, which keeps a host sample well under a millisecond.
//
// Not thread-safe: each source owns its reader and uses it on the sampling thread.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace orion::watcher::host {

class FileReader {
 public:
  FileReader();

  // The whole contents of `path`. The view is valid until the next read(). Errors name the path
  // and the OS reason (kNotFound for a missing file, kUnavailable otherwise).
  Result<std::string_view> read(const std::string& path);

 private:
  std::string buffer_;  // always sized to its capacity; only the first `length` bytes are data
};

}  // namespace orion::watcher::host
