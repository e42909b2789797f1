// How full a mounted filesystem is, behind an interface so tests give fixture values instead of
// calling statvfs() on the machine running them.
//
// Called on the watcher's sampling thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "common/status.h"

namespace orion::watcher::host {

struct FilesystemUsage {
  uint64_t total_bytes = 0;
  uint64_t free_bytes = 0;       // free blocks, including those reserved for root
  uint64_t available_bytes = 0;  // free blocks an unprivileged user may use
  uint64_t total_inodes = 0;     // 0 for filesystems without a fixed inode table (btrfs)
  uint64_t free_inodes = 0;

  // Used space as `df` shows it: used / (used + available), in percent (0 for an empty
  // filesystem). Blocks reserved for root count as neither, so a disk `df` calls 100% full is
  // 100% here.
  double usedPercent() const;
  // Inodes used, in percent; nothing when the filesystem reports no inode table.
  std::optional<double> inodeUsedPercent() const;
};

class FilesystemStats {
 public:
  virtual ~FilesystemStats() = default;
  // The usage of the filesystem mounted at `mount_point`; an error names the mount point and the
  // reason.
  virtual Result<FilesystemUsage> usage(const std::string& mount_point) = 0;
};

// statvfs(2).
std::unique_ptr<FilesystemStats> makeStatvfsFilesystemStats();

}  // namespace orion::watcher::host
