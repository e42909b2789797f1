// Reads a whole configuration file (YAML or .env) into memory. Internal to the config module.
#pragma once

#include <filesystem>
#include <string>

#include "common/status.h"

namespace orion::config {

// The file's contents. Errors (kInvalidArgument, since a config path is user input) read
// "<path>: <kind> file not found" / "is a directory" / "cannot be read: <reason>".
Result<std::string> readTextFile(const std::filesystem::path& path, std::string_view kind);

}  // namespace orion::config
