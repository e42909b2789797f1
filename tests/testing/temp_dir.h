// A fresh directory under $TMPDIR for one test, removed (with its contents) when it goes out of
// scope. Integration tests run each in their own TempDir; a fuzz target keeps one in a
// function-local static, removed when the process ends normally (an input that aborts leaves it
// behind, next to the saved crash input). Free of GoogleTest (library orion_testing_files), so
// the fuzz build links it too.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace orion::testing {

class TempDir {
 public:
  // The directory is named `<prefix>-XXXXXX`.
  explicit TempDir(std::string_view prefix = "orion-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // Writes `contents` to path()/relative (creating parent directories) and returns the full path.
  std::filesystem::path write(std::string_view relative, std::string_view contents) const;

 private:
  std::filesystem::path path_;
};

// The whole contents of a file ("" if it cannot be read).
std::string readFile(const std::filesystem::path& path);

}  // namespace orion::testing
