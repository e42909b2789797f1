#include "memory/memory.h"

#include "memory/memory_service.h"

namespace orion::memory {

std::unique_ptr<Service> makeMemory(const config::MemoryConfig& config,
                                    const std::filesystem::path& state_dir, ModuleContext context) {
  std::filesystem::path audit_path = config.audit_file;
  if (audit_path.is_relative()) audit_path = state_dir / audit_path;
  return std::make_unique<MemoryService>(config, audit_path, std::move(context));
}

}  // namespace orion::memory
