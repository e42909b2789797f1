// Source types as plugins: each type declares its name, what it is and emits (metadata) and a
// factory that builds one instance from that instance's validated settings. Its config schema is
// its key table in config/fields/watcher.cc (config::watcherSourceTypes()), which checked the
// settings before they got here.
//
// registerBuiltinSources() (sources/builtin.cc) registers the types ORION ships with; nothing
// registers itself (no static initialisers). makeWatcher() builds a registry, and
// configuredSources() turns `watcher.host` and `watcher.sources` into instances. Built on the
// supervisor's thread; read-only afterwards.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "watcher/source.h"

namespace orion::watcher {

struct SourceTypeInfo {
  std::string name;                      // the `type:` of its instances
  std::string description;               // one line, for logs and docs
  std::vector<std::string> event_types;  // what its events may be
};

struct SourceType {
  SourceTypeInfo info;
  // Builds one instance. `instance.settings` holds this type's settings struct.
  std::function<Result<std::unique_ptr<Source>>(const config::SourceInstanceConfig& instance,
                                                SourceContext context)>
      make;
};

class SourceRegistry {
 public:
  // kAlreadyExists for a second type of the same name.
  Status add(SourceType type);
  const SourceType* find(const std::string& name) const;
  std::vector<SourceTypeInfo> types() const;

 private:
  std::map<std::string, SourceType> types_;
};

// The built-in types: containers, http, tcp, process, prometheus.
void registerBuiltinSources(SourceRegistry& registry);

// The enabled instances, in a stable order: host first, then `watcher.sources` as written. An
// instance of a type the registry does not know gets a spec whose make() fails, so the watcher
// refuses to start naming it.
std::vector<SourceSpec> configuredSources(const config::WatcherConfig& config,
                                          const SourceRegistry& registry);

}  // namespace orion::watcher
