// ScratchDir(prefix): a directory of the fuzz process's own under $TMPDIR, made on first use
// and removed with its contents when the process ends normally. A function-local static object
// owns it: its destructor runs at exit while the path is still alive (an atexit handler
// registered from inside the static's initialiser would run after the path was destroyed).
// An input that aborts leaves the directory behind, next to the saved crash input.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>

namespace orion::fuzzing {

class ScratchDir {
 public:
  explicit ScratchDir(const std::string& prefix) {
    std::string pattern = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr) std::abort();
    path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace orion::fuzzing
