// The file operations of a StateStore (state_store.cc and state_compaction.cc): each error is
// kUnavailable naming the file and the system's reason, or kDataLoss for a file shorter than the
// store knows it to be.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "common/status.h"

namespace orion::state::files {

Status ioError(std::string_view what, const std::filesystem::path& path, int error);
// Writes all of `bytes` to `fd` (the file `path`).
Status writeAll(int fd, std::string_view bytes, const std::filesystem::path& path);
Result<std::string> readAll(const std::filesystem::path& path);
// Appends the `length` bytes at `offset` of the file open as `fd` to `out`.
Status readBytes(int fd, const std::filesystem::path& path, uint64_t offset, uint32_t length,
                 std::string& out);
// Makes a rename in `directory` durable.
Status syncDirectory(const std::filesystem::path& directory);
// Creates `file`'s parent directory (mode 0700) if it does not exist.
Status createParent(const std::filesystem::path& file);
std::filesystem::path withSuffix(const std::filesystem::path& file, std::string_view suffix);

}  // namespace orion::state::files
