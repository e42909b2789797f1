#include "memory/memory.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "memory/audit_file.h"
#include "memory/memory_service.h"

namespace orion::memory {

namespace {
constexpr size_t kMinKeyBytes = 16;
}  // namespace

std::filesystem::path auditDir(const config::MemoryConfig& config,
                               const std::filesystem::path& state_dir) {
  std::filesystem::path dir = config.audit_dir;
  return dir.is_relative() ? state_dir / dir : dir;
}

std::unique_ptr<Service> makeMemory(const config::MemoryConfig& config,
                                    const std::filesystem::path& state_dir, ModuleContext context) {
  return std::make_unique<MemoryService>(config, auditDir(config, state_dir), std::move(context));
}

Result<std::string> loadHmacKey(const std::filesystem::path& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) {
    std::string message = "reading the HMAC key " + file.string() + ": " + std::strerror(errno);
    return errno == ENOENT ? notFound(message) : unavailable(message);
  }
  if ((st.st_mode & 077) != 0) {
    return Status(StatusCode::kPermissionDenied,
                  "the HMAC key " + file.string() +
                      " is readable or writable by group or others; chmod 600 it");
  }
  Result<std::optional<std::string>> text = makePosixAuditFs()->readWhole(file);
  if (!text) return text.status();
  if (!text->has_value()) return notFound("the HMAC key " + file.string() + " does not exist");
  std::string key = std::move(**text);
  if (!key.empty() && key.back() == '\n') key.pop_back();
  if (!key.empty() && key.back() == '\r') key.pop_back();
  if (key.size() < kMinKeyBytes) {
    return invalidArgument("the HMAC key " + file.string() + " has " + std::to_string(key.size()) +
                           " bytes; it needs at least " + std::to_string(kMinKeyBytes) +
                           " (e.g. `head -c 32 /dev/urandom | base64 > key`)");
  }
  return key;
}

}  // namespace orion::memory
