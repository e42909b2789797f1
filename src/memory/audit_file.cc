#include "memory/audit_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
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
  if (error == ENOENT) return notFound(std::move(message));
  return unavailable(std::move(message));
}

// Closes the descriptor when it goes out of scope unless released.
class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  ~Descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

Status writeAll(int fd, std::string_view bytes, const std::filesystem::path& path) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t wrote = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (wrote < 0) {
      if (errno == EINTR) continue;
      return osError("writing", path, errno);
    }
    done += static_cast<size_t>(wrote);
  }
  return Status::ok();
}

class PosixAuditFile final : public AuditFile {
 public:
  PosixAuditFile(std::filesystem::path path, int fd, uint64_t size, bool writable)
      : path_(std::move(path)), fd_(fd), writable_(writable), size_(size) {}
  ~PosixAuditFile() override { ::close(fd_); }

  const std::filesystem::path& path() const override { return path_; }
  uint64_t size() const override { return size_.load(std::memory_order_acquire); }

  Result<uint64_t> currentSize() const override {
    struct stat st {};
    if (::fstat(fd_, &st) != 0) return osError("checking", path_, errno);
    return static_cast<uint64_t>(st.st_size);
  }

  Result<std::string> readAt(uint64_t offset, size_t length) const override {
    std::string out(length, '\0');
    Result<size_t> done = readInto(offset, out.data(), length);
    if (!done) return done.status();
    out.resize(*done);
    return out;
  }

  Result<size_t> readInto(uint64_t offset, char* out, size_t length) const override {
    size_t done = 0;
    while (done < length) {
      ssize_t got = ::pread(fd_, out + done, length - done, static_cast<off_t>(offset + done));
      if (got < 0) {
        if (errno == EINTR) continue;
        return osError("reading", path_, errno);
      }
      if (got == 0) break;
      done += static_cast<size_t>(got);
    }
    return done;
  }

  Status append(std::string_view bytes) override {
    if (!writable_) return failedPrecondition(path_.string() + " is open for reading only");
    uint64_t before = size();
    size_t done = 0;
    while (done < bytes.size()) {
      ssize_t wrote = ::write(fd_, bytes.data() + done, bytes.size() - done);
      if (wrote < 0) {
        if (errno == EINTR) continue;
        Status error = osError("writing", path_, errno);
        if (done > 0 && ::ftruncate(fd_, static_cast<off_t>(before)) != 0) {
          size_.store(before + done, std::memory_order_release);
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
    if (!writable_) return failedPrecondition(path_.string() + " is open for reading only");
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) return osError("truncating", path_, errno);
    size_.store(size, std::memory_order_release);
    return Status::ok();
  }

 private:
  std::filesystem::path path_;
  int fd_;
  bool writable_;
  std::atomic<uint64_t> size_;
};

class PosixLock final : public FileLock {
 public:
  explicit PosixLock(int fd) : fd_(fd) {}
  ~PosixLock() override { ::close(fd_); }  // closing releases the flock

 private:
  int fd_;
};

class PosixAuditFs final : public AuditFs {
 public:
  Result<std::unique_ptr<AuditFile>> openAppend(const std::filesystem::path& path) override {
    return openFile(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, true);
  }

  Result<std::unique_ptr<AuditFile>> openRead(const std::filesystem::path& path) override {
    return openFile(path, O_RDONLY | O_CLOEXEC, false);
  }

  Status makeDirectories(const std::filesystem::path& dir) override {
    if (dir.empty()) return Status::ok();
    // std::filesystem::create_directories would use 0777 minus the umask.
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

  Result<std::vector<std::string>> list(const std::filesystem::path& dir) override {
    DIR* handle = ::opendir(dir.c_str());
    if (handle == nullptr) return osError("listing", dir, errno);
    std::vector<std::string> names;
    while (dirent* entry = ::readdir(handle)) {
      if (entry->d_type != DT_REG && entry->d_type != DT_UNKNOWN) continue;
      std::string name = entry->d_name;
      if (name == "." || name == "..") continue;
      names.push_back(std::move(name));
    }
    ::closedir(handle);
    return names;
  }

  Status remove(const std::filesystem::path& path) override {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return osError("removing", path, errno);
    return Status::ok();
  }

  Status syncDirectory(const std::filesystem::path& dir) override {
    Descriptor fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.get() < 0) return osError("opening directory", dir, errno);
    if (::fsync(fd.get()) != 0) return osError("syncing directory", dir, errno);
    return Status::ok();
  }

  Status writeAtomic(const std::filesystem::path& path, std::string_view bytes,
                     bool durable) override {
    std::filesystem::path temporary = path;
    temporary += ".tmp";
    {
      Descriptor fd(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
      if (fd.get() < 0) return osError("creating", temporary, errno);
      Status wrote = writeAll(fd.get(), bytes, temporary);
      if (wrote && durable && ::fdatasync(fd.get()) != 0) {
        wrote = osError("syncing", temporary, errno);
      }
      if (!wrote) {
        ::unlink(temporary.c_str());
        return wrote;
      }
    }
    if (::rename(temporary.c_str(), path.c_str()) != 0) {
      Status error = osError("renaming " + temporary.string() + " to", path, errno);
      ::unlink(temporary.c_str());
      return error;
    }
    return durable ? syncDirectory(path.parent_path()) : Status::ok();
  }

  Result<std::optional<std::string>> readWhole(const std::filesystem::path& path) override {
    Descriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) {
      if (errno == ENOENT) return std::optional<std::string>();
      return osError("opening", path, errno);
    }
    std::string out;
    char buffer[8192];
    while (true) {
      ssize_t got = ::read(fd.get(), buffer, sizeof buffer);
      if (got < 0) {
        if (errno == EINTR) continue;
        return osError("reading", path, errno);
      }
      if (got == 0) break;
      out.append(buffer, static_cast<size_t>(got));
    }
    return std::optional<std::string>(std::move(out));
  }

  Result<std::unique_ptr<FileLock>> lock(const std::filesystem::path& path) override {
    Descriptor fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    if (fd.get() < 0) return osError("opening", path, errno);
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
      if (errno == EWOULDBLOCK) {
        return failedPrecondition(path.string() + " is locked: another ORION process is writing " +
                                  "this audit trail");
      }
      return osError("locking", path, errno);
    }
    return std::unique_ptr<FileLock>(std::make_unique<PosixLock>(fd.release()));
  }

 private:
  Result<std::unique_ptr<AuditFile>> openFile(const std::filesystem::path& path, int flags,
                                              bool writable) {
    Descriptor fd(::open(path.c_str(), flags, 0600));
    if (fd.get() < 0) return osError("opening", path, errno);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return osError("checking", path, errno);
    return std::unique_ptr<AuditFile>(std::make_unique<PosixAuditFile>(
        path, fd.release(), static_cast<uint64_t>(st.st_size), writable));
  }
};

}  // namespace

Result<size_t> AuditFile::readInto(uint64_t offset, char* out, size_t length) const {
  Result<std::string> bytes = readAt(offset, length);
  if (!bytes) return bytes.status();
  std::memcpy(out, bytes->data(), bytes->size());
  return bytes->size();
}

std::shared_ptr<AuditFs> makePosixAuditFs() { return std::make_shared<PosixAuditFs>(); }

}  // namespace orion::memory
