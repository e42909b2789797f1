// One configured instance of a plugin type, as a list key of the configuration holds it
// (`watcher.sources`, and later `commander.executors`). Public: modules read their instances
// from the Config; how a list is parsed and checked is internal (instance_list.h).
#pragma once

#include <string>

namespace orion::config {

// `Settings` is a std::variant of the plugin types' settings structs; the alternative held is
// the one of `type`.
template <typename Settings>
struct Instance {
  std::string type;      // the plugin type's name, e.g. "http"
  std::string name;      // unique in its list: [a-z0-9][a-z0-9-]*; defaults to `type`
  std::string location;  // where the entry starts ("orion.yaml:14"), for later messages
  Settings settings;
};

}  // namespace orion::config
