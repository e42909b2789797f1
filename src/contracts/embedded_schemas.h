// Internal: the schema files compiled into the binary (generated from contracts/*.schema.json by
// cmake/embed_files_script.cmake). Only the registry and its tests read this.
#pragma once

#include <span>

#include "common/embedded_file.h"

namespace orion::contracts {

std::span<const ::orion::EmbeddedFile> embeddedSchemas();

}  // namespace orion::contracts
