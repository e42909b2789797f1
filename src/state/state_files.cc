#include "state/state_files.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace orion::state::files {

namespace fs = std::filesystem;

Status ioError(std::string_view what, const fs::path& path, int error) {
  return unavailable(std::string(what) + " " + path.string() + ": " + std::strerror(error));
}

Status writeAll(int fd, std::string_view bytes, const fs::path& path) {
  while (!bytes.empty()) {
    ssize_t written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return ioError("writing", path, errno);
    }
    bytes.remove_prefix(static_cast<size_t>(written));
  }
  return Status::ok();
}

Result<std::string> readAll(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ioError("opening", path, errno);
  std::string bytes;
  char buffer[1 << 16];
  while (true) {
    ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      int error = errno;
      ::close(fd);
      return ioError("reading", path, error);
    }
    if (got == 0) break;
    bytes.append(buffer, static_cast<size_t>(got));
  }
  ::close(fd);
  return bytes;
}

Status readBytes(int fd, const fs::path& path, uint64_t offset, uint32_t length, std::string& out) {
  size_t start = out.size();
  out.resize(start + length);
  size_t got = 0;
  while (got < length) {
    ssize_t n =
        ::pread(fd, out.data() + start + got, length - got, static_cast<off_t>(offset + got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int error = errno;
      out.resize(start);
      return ioError("reading", path, error);
    }
    if (n == 0) {
      out.resize(start);
      return Status(StatusCode::kDataLoss,
                    fmt::format("{} ends at byte {}, before a value the store wrote there "
                                "(was the file changed by something else?)",
                                path.string(), offset + got));
    }
    got += static_cast<size_t>(n);
  }
  return Status::ok();
}

Status syncDirectory(const fs::path& directory) {
  int fd = ::open(directory.empty() ? "." : directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ioError("opening", directory, errno);
  int rc = ::fsync(fd);
  int error = errno;
  ::close(fd);
  return rc == 0 ? Status::ok() : ioError("syncing", directory, error);
}

Status createParent(const fs::path& file) {
  fs::path parent = file.parent_path();
  if (parent.empty()) return Status::ok();
  std::error_code error;
  if (fs::exists(parent, error)) return Status::ok();
  fs::create_directories(parent, error);
  if (error) return unavailable("creating " + parent.string() + ": " + error.message());
  fs::permissions(parent, fs::perms::owner_all, fs::perm_options::replace, error);
  if (error) return unavailable("setting mode 0700 on " + parent.string() + ": " + error.message());
  return Status::ok();
}

fs::path withSuffix(const fs::path& file, std::string_view suffix) {
  return fs::path(file.string() + std::string(suffix));
}

}  // namespace orion::state::files
