#include "watcher/sources/host/filesystem_stats.h"

#include <sys/statvfs.h>

#include <cerrno>
#include <cstring>

namespace orion::watcher::host {

double FilesystemUsage::usedPercent() const {
  uint64_t used = free_bytes > total_bytes ? 0 : total_bytes - free_bytes;
  uint64_t visible = used + available_bytes;
  if (visible == 0) return 0;
  return 100.0 * static_cast<double>(used) / static_cast<double>(visible);
}

std::optional<double> FilesystemUsage::inodeUsedPercent() const {
  if (total_inodes == 0) return std::nullopt;
  uint64_t used = free_inodes > total_inodes ? 0 : total_inodes - free_inodes;
  return 100.0 * static_cast<double>(used) / static_cast<double>(total_inodes);
}

namespace {

class StatvfsFilesystemStats final : public FilesystemStats {
 public:
  Result<FilesystemUsage> usage(const std::string& mount_point) override {
    struct statvfs st {};
    if (::statvfs(mount_point.c_str(), &st) != 0) {
      int error = errno;
      std::string message = "statvfs " + mount_point + ": " + std::strerror(error);
      if (error == ENOENT) return notFound(std::move(message));
      return unavailable(std::move(message));
    }
    uint64_t block = st.f_frsize != 0 ? st.f_frsize : st.f_bsize;
    return FilesystemUsage{static_cast<uint64_t>(st.f_blocks) * block,
                           static_cast<uint64_t>(st.f_bfree) * block,
                           static_cast<uint64_t>(st.f_bavail) * block,
                           static_cast<uint64_t>(st.f_files), static_cast<uint64_t>(st.f_ffree)};
  }
};

}  // namespace

std::unique_ptr<FilesystemStats> makeStatvfsFilesystemStats() {
  return std::make_unique<StatvfsFilesystemStats>();
}

}  // namespace orion::watcher::host
