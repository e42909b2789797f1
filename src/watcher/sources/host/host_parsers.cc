#include "watcher/sources/host/host_parsers.h"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <unordered_map>
#include <unordered_set>

namespace orion::watcher::host {
namespace {

// Walks a text line by line, counting lines from 1 for error messages.
class Lines {
 public:
  explicit Lines(std::string_view text) : rest_(text) {}

  bool next(std::string_view& line) {
    if (rest_.empty()) return false;
    size_t end = rest_.find('\n');
    line = rest_.substr(0, end);
    rest_ = end == std::string_view::npos ? std::string_view{} : rest_.substr(end + 1);
    ++number_;
    return true;
  }
  int number() const { return number_; }

 private:
  std::string_view rest_;
  int number_ = 0;
};

bool isBlank(char c) { return c == ' ' || c == '\t'; }

// The next whitespace-separated field of `rest` (empty when there is none); consumes it.
std::string_view nextField(std::string_view& rest) {
  size_t begin = 0;
  while (begin < rest.size() && isBlank(rest[begin])) ++begin;
  size_t end = begin;
  while (end < rest.size() && !isBlank(rest[end])) ++end;
  std::string_view field = rest.substr(begin, end - begin);
  rest = rest.substr(end);
  return field;
}

template <typename T>
bool parseNumber(std::string_view field, T& out) {
  if (field.empty()) return false;
  auto [ptr, ec] = std::from_chars(field.data(), field.data() + field.size(), out);
  return ec == std::errc() && ptr == field.data() + field.size();
}

Status lineError(std::string_view file, int line, std::string_view expected) {
  return invalidArgument(fmt::format("{}: line {}: expected {}", file, line, expected));
}

std::string decodeMountField(std::string_view field) {
  // The kernel escapes space, tab, newline and backslash as \ooo in /proc/self/mounts.
  std::string out;
  out.reserve(field.size());
  for (size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '\\' && i + 3 < field.size()) {
      int value = 0;
      bool octal = true;
      for (char c : field.substr(i + 1, 3)) {
        if (c < '0' || c > '7') octal = false;
        value = value * 8 + (c - '0');
      }
      if (octal && value < 256) {
        out.push_back(static_cast<char>(value));
        i += 3;
        continue;
      }
    }
    out.push_back(field[i]);
  }
  return out;
}

}  // namespace

Result<CpuTimes> parseProcStat(std::string_view text, std::string_view file) {
  Lines lines(text);
  std::string_view line;
  if (!lines.next(line)) return invalidArgument(fmt::format("{}: file is empty", file));
  std::string_view rest = line;
  if (nextField(rest) != "cpu") {
    return lineError(file, 1, "the aggregate 'cpu' line");
  }
  // user nice system idle iowait irq softirq steal; guest and guest_nice are already counted in
  // user and nice, so adding them would count guest time twice.
  std::array<uint64_t, 8> ticks{};
  size_t count = 0;
  for (; count < ticks.size(); ++count) {
    std::string_view field = nextField(rest);
    if (field.empty()) break;
    if (!parseNumber(field, ticks[count])) {
      return lineError(file, 1, fmt::format("a tick count, got '{}'", field));
    }
  }
  if (count < 4) return lineError(file, 1, "at least 4 tick counts on the 'cpu' line");
  CpuTimes times;
  for (size_t i = 0; i < count; ++i) times.total += ticks[i];
  times.idle = ticks[3] + (count > 4 ? ticks[4] : 0);
  while (lines.next(line)) {
    if (line.size() > 3 && line.substr(0, 3) == "cpu" && line[3] >= '0' && line[3] <= '9') {
      ++times.cpu_count;
    } else if (!line.empty() && line.substr(0, 3) != "cpu") {
      break;  // the per-CPU lines come right after the aggregate line
    }
  }
  if (times.cpu_count == 0) return invalidArgument(fmt::format("{}: no 'cpuN' lines", file));
  return times;
}

std::optional<double> cpuPercent(const CpuTimes& before, const CpuTimes& after) {
  if (after.total <= before.total || after.idle < before.idle) return std::nullopt;
  uint64_t total = after.total - before.total;
  uint64_t idle = after.idle - before.idle;
  if (idle > total) return std::nullopt;
  return 100.0 * static_cast<double>(total - idle) / static_cast<double>(total);
}

Result<double> parseLoadAverage(std::string_view text, std::string_view file) {
  std::string_view rest = text.substr(0, text.find('\n'));
  std::string_view field = nextField(rest);
  double load = 0;
  if (!parseNumber(field, load) || load < 0) {
    return lineError(file, 1, fmt::format("a non-negative 1-minute load average, got '{}'", field));
  }
  return load;
}

double MemInfo::memoryPercent() const {
  if (total_kb == 0) return 0;
  uint64_t used = available_kb > total_kb ? 0 : total_kb - available_kb;
  return 100.0 * static_cast<double>(used) / static_cast<double>(total_kb);
}

double MemInfo::swapPercent() const {
  if (swap_total_kb == 0) return 0;
  uint64_t used = swap_free_kb > swap_total_kb ? 0 : swap_total_kb - swap_free_kb;
  return 100.0 * static_cast<double>(used) / static_cast<double>(swap_total_kb);
}

Result<MemInfo> parseMemInfo(std::string_view text, std::string_view file) {
  MemInfo info;
  struct Wanted {
    std::string_view key;
    uint64_t* out;
    bool seen = false;
  };
  std::array<Wanted, 4> wanted{{{"MemTotal", &info.total_kb},
                                {"MemAvailable", &info.available_kb},
                                {"SwapTotal", &info.swap_total_kb},
                                {"SwapFree", &info.swap_free_kb}}};
  Lines lines(text);
  std::string_view line;
  while (lines.next(line)) {
    if (line.empty()) continue;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      return lineError(file, lines.number(), "'Key: number [kB]'");
    }
    std::string_view key = line.substr(0, colon);
    for (Wanted& w : wanted) {
      if (w.key != key) continue;
      std::string_view rest = line.substr(colon + 1);
      std::string_view number = nextField(rest);
      std::string_view unit = nextField(rest);
      if (!parseNumber(number, *w.out) || (!unit.empty() && unit != "kB") ||
          !nextField(rest).empty()) {
        return lineError(file, lines.number(), fmt::format("'{}: number kB'", key));
      }
      w.seen = true;
    }
  }
  for (const Wanted& w : wanted) {
    if (!w.seen) {
      return invalidArgument(fmt::format("{}: no '{}:' line", file, w.key));
    }
  }
  if (info.total_kb == 0) return invalidArgument(fmt::format("{}: MemTotal is 0", file));
  return info;
}

Result<std::vector<MountEntry>> parseMounts(std::string_view text, std::string_view file) {
  std::vector<MountEntry> mounts;
  Lines lines(text);
  std::string_view line;
  while (lines.next(line)) {
    std::string_view rest = line;
    std::string_view device = nextField(rest);
    if (device.empty()) continue;
    std::string_view mount_point = nextField(rest);
    std::string_view fs_type = nextField(rest);
    if (fs_type.empty()) {
      return lineError(file, lines.number(), "'device mount-point type options dump pass'");
    }
    mounts.push_back(
        {decodeMountField(device), decodeMountField(mount_point), std::string(fs_type)});
  }
  return mounts;
}

bool isRealFilesystem(std::string_view fs_type) {
  static constexpr std::array<std::string_view, 19> kReal = {
      "ext2",   "ext3",     "ext4",    "xfs", "btrfs",  "vfat", "msdos",
      "exfat",  "ntfs",     "ntfs3",   "zfs", "f2fs",   "jfs",  "reiserfs",
      "nilfs2", "bcachefs", "hfsplus", "udf", "fuseblk"};
  for (std::string_view real : kReal) {
    if (fs_type == real) return true;
  }
  return false;
}

std::vector<MountEntry> selectRealMounts(const std::vector<MountEntry>& mounts) {
  // A later mount on the same point hides the earlier one; statvfs() sees the later one.
  std::vector<const MountEntry*> visible;
  std::unordered_map<std::string_view, size_t> slot_of_point;
  for (const MountEntry& entry : mounts) {
    auto [it, inserted] = slot_of_point.try_emplace(entry.mount_point, visible.size());
    if (inserted) {
      visible.push_back(&entry);
    } else {
      visible[it->second] = &entry;
    }
  }
  std::vector<MountEntry> selected;
  std::unordered_set<std::string_view> devices;
  for (const MountEntry* entry : visible) {
    if (!isRealFilesystem(entry->fs_type)) continue;
    if (!devices.insert(entry->device).second) continue;
    selected.push_back(*entry);
  }
  return selected;
}

Result<std::vector<InterfaceErrors>> parseNetDev(std::string_view text, std::string_view file) {
  std::vector<InterfaceErrors> interfaces;
  Lines lines(text);
  std::string_view line;
  while (lines.next(line)) {
    if (lines.number() <= 2 || line.find_first_not_of(" \t") == std::string_view::npos) continue;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      return lineError(file, lines.number(), "'interface: counters'");
    }
    std::string_view name_part = line.substr(0, colon);
    std::string_view name = nextField(name_part);
    std::string_view rest = line.substr(colon + 1);
    std::array<uint64_t, 16> counters{};
    for (size_t i = 0; i < counters.size(); ++i) {
      std::string_view field = nextField(rest);
      if (!parseNumber(field, counters[i])) {
        return lineError(file, lines.number(), fmt::format("16 counters for {}", name));
      }
    }
    interfaces.push_back({std::string(name), counters[2], counters[10]});
  }
  return interfaces;
}

Result<double> parseMillidegrees(std::string_view text, std::string_view file) {
  std::string_view rest = text.substr(0, text.find('\n'));
  std::string_view field = nextField(rest);
  int64_t millidegrees = 0;
  if (!parseNumber(field, millidegrees)) {
    return lineError(file, 1, fmt::format("millidegrees Celsius, got '{}'", field));
  }
  return static_cast<double>(millidegrees) / 1000.0;
}

}  // namespace orion::watcher::host
