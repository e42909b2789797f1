#include "daemon/page_release.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <array>
#include <charconv>
#include <string_view>

namespace orion::daemon {

PageRelease::PageRelease(MonoTime started, Settings settings)
    : settings_(settings), first_at_(started + settings.first_after) {
  window_start_.at = started;
}

bool PageRelease::needsReading(MonoTime now) const {
  if (!first_done_) return now >= first_at_;
  return now - window_start_.at >= settings_.window;
}

bool PageRelease::shouldRelease(const Reading& reading) {
  if (!first_done_) return reading.at >= first_at_;
  Duration elapsed = reading.at - window_start_.at;
  if (elapsed < settings_.window) return false;
  Duration used = reading.cpu - window_start_.cpu;
  window_start_ = reading;
  bool grew = reading.file_bytes >= baseline_file_bytes_ + settings_.growth_bytes;
  bool idle = std::chrono::duration<double>(used).count() <
              settings_.idle_cpu_share * std::chrono::duration<double>(elapsed).count();
  return grew && idle;
}

void PageRelease::released(const Reading& after) {
  first_done_ = true;
  baseline_file_bytes_ = after.file_bytes;
  window_start_ = after;
}

PageRelease::Reading readProcess(MonoTime now) {
  PageRelease::Reading reading;
  reading.at = now;
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) == 0) {
    auto toDuration = [](const timeval& value) {
      return std::chrono::seconds(value.tv_sec) + std::chrono::microseconds(value.tv_usec);
    };
    reading.cpu = toDuration(usage.ru_utime) + toDuration(usage.ru_stime);
  }
  // statm: size resident shared text lib data dt, in pages; "shared" counts the file-backed
  // (and shared-memory) pages that are resident. Read with plain system calls: this runs every
  // window of an idle daemon, and iostreams would map their own pages back each time.
  int fd = ::open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return reading;
  std::array<char, 128> buffer{};
  ssize_t length = ::read(fd, buffer.data(), buffer.size());
  ::close(fd);
  if (length <= 0) return reading;
  std::string_view text(buffer.data(), static_cast<std::size_t>(length));
  std::size_t shared_pages = 0;
  for (int field = 0; field < 3; ++field) {
    std::size_t start = text.find_first_not_of(' ');
    if (start == std::string_view::npos) return reading;
    text.remove_prefix(start);
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), shared_pages);
    if (error != std::errc()) return reading;
    text.remove_prefix(static_cast<std::size_t>(end - text.data()));
  }
  reading.file_bytes = shared_pages * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  return reading;
}

}  // namespace orion::daemon
