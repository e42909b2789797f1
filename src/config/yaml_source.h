// The YAML source: reads one configuration file and applies every key it sets, checking each
// key against the schema. Internal to the config module.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "config/config.h"
#include "config/diagnostics.h"
#include "config/schema.h"

namespace orion::config {

// Reads `file` and applies it to `config`. Every problem (unreadable file, malformed YAML, unknown
// key, wrong value) is added to `diagnostics` as "<file>:<line>: <key>: <what>"; keys that are
// fine are applied even when others are not, so one run reports all errors.
void applyYamlFile(const Schema& schema, const std::filesystem::path& file, Config& config,
                   Diagnostics& diagnostics);

// The same for YAML text already in memory; `name` stands for the file in messages.
void applyYamlText(const Schema& schema, std::string_view text, const std::string& name,
                   Config& config, Diagnostics& diagnostics);

}  // namespace orion::config
