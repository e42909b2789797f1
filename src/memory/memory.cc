#include "memory/memory.h"

#include "memory/memory_service.h"
#include "signing/secret_file.h"

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
  Result<std::string> key = signing::readSecretFile(file, "the HMAC key");
  if (!key) return key.status();
  if (key->size() < kMinKeyBytes) {
    return invalidArgument("the HMAC key " + file.string() + " has " + std::to_string(key->size()) +
                           " bytes; it needs at least " + std::to_string(kMinKeyBytes) +
                           " (e.g. `head -c 32 /dev/urandom | base64 > key`)");
  }
  return key;
}

}  // namespace orion::memory
