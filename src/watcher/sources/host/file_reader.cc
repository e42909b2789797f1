#include "watcher/sources/host/file_reader.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace orion::watcher::host {
namespace {

constexpr size_t kInitialBuffer = 16 * 1024;
// /proc files are small; a file this large is not what we think it is.
constexpr size_t kMaxFile = 4 * 1024 * 1024;

Status osError(const std::string& what, const std::string& path, int error) {
  std::string message = what + " " + path + ": " + std::strerror(error);
  if (error == ENOENT) return notFound(std::move(message));
  return unavailable(std::move(message));
}

}  // namespace

FileReader::FileReader() : buffer_(kInitialBuffer, '\0') {}

Result<std::string_view> FileReader::read(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return osError("opening", path, errno);
  size_t length = 0;
  while (true) {
    if (length == buffer_.size()) {
      if (buffer_.size() >= kMaxFile) {
        ::close(fd);
        return unavailable("reading " + path + ": larger than " + std::to_string(kMaxFile) +
                           " bytes");
      }
      buffer_.resize(buffer_.size() * 2);
    }
    ssize_t got = ::read(fd, buffer_.data() + length, buffer_.size() - length);
    if (got < 0) {
      if (errno == EINTR) continue;
      int error = errno;
      ::close(fd);
      return osError("reading", path, error);
    }
    if (got == 0) break;
    length += static_cast<size_t>(got);
  }
  ::close(fd);
  return std::string_view(buffer_.data(), length);
}

}  // namespace orion::watcher::host
