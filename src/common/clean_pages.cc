#include "common/clean_pages.h"

#include <link.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <istream>

namespace orion {

namespace {

struct ParsedMapping {
  ReleasableMapping mapping;
  std::string permissions;
  std::string flags;
  bool has_rss = false;
  bool has_anonymous = false;
  std::size_t anonymous_kib = 0;
  std::size_t locked_kib = 0;
};

bool readHex(std::string_view text, std::uintptr_t& value) {
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, 16);
  return error == std::errc() && end == text.data() + text.size();
}

// "7f14a000-7f14b000 r-xp 00002000 08:01 1234   /usr/lib/x.so": the mapping's header line.
bool parseHeader(std::string_view line, ParsedMapping& parsed) {
  std::size_t dash = line.find('-');
  std::size_t space = line.find(' ');
  if (dash == std::string_view::npos || space == std::string_view::npos || dash > space)
    return false;
  if (!readHex(line.substr(0, dash), parsed.mapping.start) ||
      !readHex(line.substr(dash + 1, space - dash - 1), parsed.mapping.end)) {
    return false;
  }
  // permissions, offset, device, inode, then the path (which may hold spaces) if any.
  std::size_t at = space;
  for (int field = 0; field < 4; ++field) {
    at = line.find_first_not_of(' ', at);
    if (at == std::string_view::npos) return false;
    std::size_t end = line.find(' ', at);
    if (field == 0) parsed.permissions = std::string(line.substr(at, end - at));
    at = end;
  }
  if (at != std::string_view::npos) {
    at = line.find_first_not_of(' ', at);
    if (at != std::string_view::npos) parsed.mapping.path = std::string(line.substr(at));
  }
  return true;
}

// "Rss:                 123 kB" → 123.
bool readKib(std::string_view value, std::size_t& kib) {
  std::size_t at = value.find_first_not_of(" \t");
  if (at == std::string_view::npos) return false;
  value.remove_prefix(at);
  auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), kib);
  return error == std::errc() && end != value.data();
}

// Whether the space-separated `flags` (VmFlags) hold `flag`.
bool hasFlag(std::string_view flags, std::string_view flag) {
  while (!flags.empty()) {
    size_t space = flags.find(' ');
    if (flags.substr(0, space) == flag) return true;
    if (space == std::string_view::npos) break;
    flags.remove_prefix(space + 1);
  }
  return false;
}

bool releasable(const ParsedMapping& parsed) {
  const std::string& path = parsed.mapping.path;
  if (path.empty() || path.front() != '/') return false;  // anonymous, [vdso], [heap], [stack]
  if (parsed.permissions != "r--p" && parsed.permissions != "r-xp") return false;
  if (!parsed.has_rss || !parsed.has_anonymous) return false;
  if (parsed.anonymous_kib != 0 || parsed.locked_kib != 0) return false;
  // Device memory, I/O and huge-page mappings are not plain page-cache pages.
  for (std::string_view flag : {"pf", "io", "ht", "lo"}) {
    if (hasFlag(parsed.flags, flag)) return false;
  }
  return parsed.mapping.end > parsed.mapping.start;
}

}  // namespace

std::vector<ReleasableMapping> releasableMappings(std::istream& smaps) {
  std::vector<ReleasableMapping> found;
  ParsedMapping current;
  bool in_mapping = false;
  auto finish = [&] {
    if (in_mapping && releasable(current)) found.push_back(std::move(current.mapping));
    current = ParsedMapping{};
    in_mapping = false;
  };
  std::string text;
  while (std::getline(smaps, text)) {
    std::string_view line = text;
    if (line.empty()) continue;
    std::size_t colon = line.find(':');
    std::size_t space = line.find(' ');
    bool is_field = colon != std::string_view::npos &&
                    (space == std::string_view::npos || colon < space) &&
                    std::isupper(static_cast<unsigned char>(line.front()));
    if (!is_field) {
      finish();
      in_mapping = parseHeader(line, current);
      continue;
    }
    if (!in_mapping) continue;
    std::string_view key = line.substr(0, colon);
    std::string_view value = line.substr(colon + 1);
    if (key == "Rss") {
      current.has_rss = readKib(value, current.mapping.resident_bytes);
      current.mapping.resident_bytes *= 1024;
    } else if (key == "Anonymous") {
      current.has_anonymous = readKib(value, current.anonymous_kib);
    } else if (key == "Locked") {
      if (!readKib(value, current.locked_kib)) current.locked_kib = 1;  // unreadable: keep it
    } else if (key == "VmFlags") {
      current.flags = std::string(value);
    }
  }
  finish();
  return found;
}

namespace {

bool tracerAttached() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("TracerPid:", 0) == 0) {
      std::size_t pid = 0;
      return !readKib(std::string_view(line).substr(10), pid) || pid != 0;
    }
  }
  return false;
}

struct Release {
  std::vector<ReleasableMapping> mappings;  // by start address
  std::uintptr_t page_size = 0;
  ReleasedPages released;
};

// Called by dl_iterate_phdr, which holds the dynamic loader's lock: no object is unloaded (and
// its address range reused) while its segments are released.
int releaseObject(dl_phdr_info* object, std::size_t, void* data) {
  auto& release = *static_cast<Release*>(data);
  for (int index = 0; index < object->dlpi_phnum; ++index) {
    const ElfW(Phdr)& segment = object->dlpi_phdr[index];
    if (segment.p_type != PT_LOAD) continue;
    std::uintptr_t low = (object->dlpi_addr + segment.p_vaddr) & ~(release.page_size - 1);
    std::uintptr_t high =
        (object->dlpi_addr + segment.p_vaddr + segment.p_memsz + release.page_size - 1) &
        ~(release.page_size - 1);
    auto mapping = std::lower_bound(
        release.mappings.begin(), release.mappings.end(), low,
        [](const ReleasableMapping& m, std::uintptr_t address) { return m.start < address; });
    for (; mapping != release.mappings.end() && mapping->end <= high; ++mapping) {
      if (madvise(reinterpret_cast<void*>(mapping->start), mapping->end - mapping->start,
                  MADV_DONTNEED) != 0) {
        continue;  // the kernel refused this one: it stays as it was
      }
      ++release.released.mappings;
      release.released.resident_bytes += mapping->resident_bytes;
    }
  }
  return 0;
}

}  // namespace

Result<ReleasedPages> releaseCleanPages() {
  Release release;
  if (tracerAttached()) {
    release.released.traced = true;
    return release.released;
  }
  std::ifstream file("/proc/self/smaps");
  if (!file) return unavailable("cannot read /proc/self/smaps");
  // Only the segments of loaded ELF objects (the binary, the shared libraries) are released,
  // never another file mapping that smaps listed and that may since have been unmapped.
  release.mappings = releasableMappings(file);
  std::sort(
      release.mappings.begin(), release.mappings.end(),
      [](const ReleasableMapping& a, const ReleasableMapping& b) { return a.start < b.start; });
  release.page_size = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  dl_iterate_phdr(releaseObject, &release);
  return release.released;
}

}  // namespace orion
