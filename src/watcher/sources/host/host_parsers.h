// Parsers for the Linux files the host source reads: /proc/stat, /proc/loadavg, /proc/meminfo,
// /proc/self/mounts, /proc/net/dev and sysfs temperature files. Pure functions over the file's
// text, so tests feed them fixture trees.
//
// `file` is only used in error messages, which always name it and, where a line is at fault, the
// line number and what was expected there ("<file>: line 3: expected 'Key: number [kB]'").
// None of them allocate beyond their result; none use iostreams (a host sample must stay cheap).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace orion::watcher::host {

// The aggregate "cpu" line of /proc/stat, in clock ticks, and the number of "cpuN" lines.
struct CpuTimes {
  uint64_t total = 0;  // user + nice + system + idle + iowait + irq + softirq + steal
  uint64_t idle = 0;   // idle + iowait
  int cpu_count = 0;
};

Result<CpuTimes> parseProcStat(std::string_view text, std::string_view file);

// Busy time between two readings as a percentage (0..100), or nothing when no tick passed or the
// counters went backwards (a CPU went offline, a counter wrapped): the next reading re-baselines.
std::optional<double> cpuPercent(const CpuTimes& before, const CpuTimes& after);

// The 1-minute load average (first field of /proc/loadavg).
Result<double> parseLoadAverage(std::string_view text, std::string_view file);

struct MemInfo {
  uint64_t total_kb = 0;
  uint64_t available_kb = 0;
  uint64_t swap_total_kb = 0;
  uint64_t swap_free_kb = 0;

  // (MemTotal − MemAvailable) / MemTotal, in percent.
  double memoryPercent() const;
  // (SwapTotal − SwapFree) / SwapTotal, in percent; 0 when there is no swap.
  double swapPercent() const;
};

// Every line must read "Key: number [kB]"; MemTotal (non-zero), MemAvailable, SwapTotal and
// SwapFree must be present.
Result<MemInfo> parseMemInfo(std::string_view text, std::string_view file);

struct MountEntry {
  std::string device;       // first field, e.g. "/dev/sda1"
  std::string mount_point;  // octal escapes (\040 for a space) decoded
  std::string fs_type;
};

// Every non-empty line must have at least device, mount point and type.
Result<std::vector<MountEntry>> parseMounts(std::string_view text, std::string_view file);

// True for filesystems that hold data on a block device (ext4, xfs, btrfs, vfat, zfs, ...);
// false for pseudo filesystems (proc, sysfs, tmpfs, cgroup*, overlay, squashfs, ...) and for
// network filesystems, whose statvfs() can hang the sampling thread when the server is away.
bool isRealFilesystem(std::string_view fs_type);

// The mounts worth reporting: for each mount point the entry that is visible (the last one
// mounted there), only real filesystems, and only the first mount point of each device (bind
// mounts show the same usage again). Order of first appearance is kept.
std::vector<MountEntry> selectRealMounts(const std::vector<MountEntry>& mounts);

// One interface's error counters from /proc/net/dev.
struct InterfaceErrors {
  std::string name;
  uint64_t rx_errors = 0;
  uint64_t tx_errors = 0;
  uint64_t total() const { return rx_errors + tx_errors; }
};

// The two header lines, then "name: 16 numbers" per interface (rx errs is the 3rd number, tx errs
// the 11th).
Result<std::vector<InterfaceErrors>> parseNetDev(std::string_view text, std::string_view file);

// A sysfs temperature (thermal_zone*/temp, hwmon*/temp*_input): integer millidegrees Celsius.
Result<double> parseMillidegrees(std::string_view text, std::string_view file);

}  // namespace orion::watcher::host
