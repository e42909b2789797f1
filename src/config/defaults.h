// The defaults that depend on the machine: the node name (the host name) and the state
// directory. Internal to the config module; the uid overload exists so tests can cover root.
#pragma once

#include <map>
#include <string>

#include "config/config.h"

namespace orion::config {

// defaultStateDir() for a process running as `uid`.
std::string defaultStateDir(const std::map<std::string, std::string>& environment, unsigned uid);

// This host's name, or "localhost" when it cannot be read.
std::string hostName();

// Config{} with the node name and state directory filled in.
Config defaultConfig(const std::map<std::string, std::string>& environment);

}  // namespace orion::config
