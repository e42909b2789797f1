// The environment sources: ORION_* variables from the process environment and from a .env file
// (the original ORION's runtime-configuration format). Internal to the config module.
//
// Mapping: ORION_<PATH> sets the key whose dotted path, with '.' written as '_', is <PATH>
// (case-insensitive): ORION_WATCHER_HOST_INTERVAL -> watcher.host.interval. ORION_AUTONOMY_LEVEL
// (the original's name) is an alias of ORION_BRAIN_AUTONOMY_LEVEL; when both are set in one
// source the canonical name wins. List keys take comma-separated values. ORION_CONFIG and
// ORION_ENV_FILE are not keys and are ignored; any other unknown ORION_* name is an error.
// Variables without the ORION_ prefix are ignored (a .env file is often shared with other tools).
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "config/diagnostics.h"
#include "config/schema.h"

namespace orion::config {

struct EnvEntry {
  std::string name;
  std::string value;
  std::string location;  // "<file>:<line>" for a .env entry, "environment" otherwise
};

// Parses .env text: KEY=VALUE lines, '#' comments and blank lines, an optional `export ` prefix,
// values bare (a '#' after whitespace starts a comment), in single quotes (literal) or double
// quotes (\" \\ \n \t escapes). A malformed line is an error "<name>:<line>: …" and is skipped.
std::vector<EnvEntry> parseEnvText(std::string_view text, const std::string& name,
                                   Diagnostics& diagnostics);

// Reads and parses a .env file; a missing or unreadable file is an error.
std::vector<EnvEntry> readEnvFile(const std::filesystem::path& file, Diagnostics& diagnostics);

// The ORION_* entries of a process environment, with location "environment".
std::vector<EnvEntry> environmentEntries(const std::map<std::string, std::string>& environment);

// Applies the ORION_* entries in order (later entries win), checking each value exactly as a YAML
// value is checked. Errors name the location, the variable and the key.
void applyEnvironment(const Schema& schema, const std::vector<EnvEntry>& entries, Config& config,
                      Diagnostics& diagnostics);

}  // namespace orion::config
