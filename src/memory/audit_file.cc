#include "memory/audit_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

namespace orion::memory {
namespace {

Status osError(std::string_view what, const std::filesystem::path& path, int error) {
  std::string message = std::string(what) + " " + path.string() + ": " + std::strerror(error);
  if (error == ENOSPC || error == EDQUOT) return {StatusCode::kResourceExhausted, message};
  if (error == EACCES || error == EPERM) return {StatusCode::kPermissionDenied, message};
  return unavailable(std::move(message));
}

// Creates each missing directory of `dir` with mode 0700: the trail is nobody else's business.
// std::filesystem::create_directories would use 0777 minus the umask.
Status makeDirectories(const std::filesystem::path& dir) {
  if (dir.empty()) return Status::ok();
  std::filesystem::path partial;
  for (const auto& part : dir) {
    partial /= part;
    if (::mkdir(partial.c_str(), 0700) != 0 && errno != EEXIST) {
      return osError("creating directory", partial, errno);
    }
  }
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) return osError("checking directory", dir, errno);
  if (!S_ISDIR(st.st_mode)) return failedPrecondition(dir.string() + " is not a directory");
  return Status::ok();
}

class PosixAuditFile final : public AuditFile {
 public:
  PosixAuditFile(std::filesystem::path path, int fd, uint64_t size)
      : path_(std::move(path)), fd_(fd), size_(size) {}
  ~PosixAuditFile() override { ::close(fd_); }

  const std::filesystem::path& path() const override { return path_; }
  uint64_t size() const override { return size_.load(std::memory_order_acquire); }

  Result<std::string> readAt(uint64_t offset, size_t length) const override {
    std::string out(length, '\0');
    size_t done = 0;
    while (done < length) {
      ssize_t got =
          ::pread(fd_, out.data() + done, length - done, static_cast<off_t>(offset + done));
      if (got < 0) {
        if (errno == EINTR) continue;
        return osError("reading", path_, errno);
      }
      if (got == 0) break;
      done += static_cast<size_t>(got);
    }
    out.resize(done);
    return out;
  }

  Status append(std::string_view bytes) override {
    uint64_t before = size();
    size_t done = 0;
    while (done < bytes.size()) {
      ssize_t wrote = ::write(fd_, bytes.data() + done, bytes.size() - done);
      if (wrote < 0) {
        if (errno == EINTR) continue;
        Status error = osError("writing", path_, errno);
        if (done > 0 && ::ftruncate(fd_, static_cast<off_t>(before)) != 0) {
          return {StatusCode::kDataLoss,
                  error.message() + "; and removing the partial record: " + std::strerror(errno)};
        }
        return error;
      }
      done += static_cast<size_t>(wrote);
    }
    size_.store(before + bytes.size(), std::memory_order_release);
    return Status::ok();
  }

  Status sync() override {
    if (::fdatasync(fd_) != 0) return osError("syncing", path_, errno);
    return Status::ok();
  }

  Status truncate(uint64_t size) override {
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) return osError("truncating", path_, errno);
    size_.store(size, std::memory_order_release);
    return Status::ok();
  }

 private:
  std::filesystem::path path_;
  int fd_;
  std::atomic<uint64_t> size_;
};

}  // namespace

Result<std::unique_ptr<AuditFile>> openPosixAuditFile(const std::filesystem::path& path) {
  ORION_RETURN_IF_ERROR(makeDirectories(path.parent_path()));
  int fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return osError("opening", path, errno);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    Status error = osError("checking", path, errno);
    ::close(fd);
    return error;
  }
  return std::unique_ptr<AuditFile>(
      std::make_unique<PosixAuditFile>(path, fd, static_cast<uint64_t>(st.st_size)));
}

}  // namespace orion::memory
