// Memory: the audit trail. Consumes every contract stream (group "memory") and appends each
// document to the audit file under the state directory before acknowledging it.
#pragma once

#include <filesystem>
#include <memory>

#include "bus/module_context.h"
#include "common/service.h"
#include "config/config.h"

namespace orion::memory {

// `state_dir` resolves a relative `config.audit_file`.
std::unique_ptr<Service> makeMemory(const config::MemoryConfig& config,
                                    const std::filesystem::path& state_dir, ModuleContext context);

}  // namespace orion::memory
