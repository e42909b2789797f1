#include "watcher/sources/builtin.h"

#include "watcher/sources/host/host_source.h"

namespace orion::watcher {

std::vector<SourceSpec> configuredSources(const config::WatcherConfig& config) {
  std::vector<SourceSpec> specs;
  if (config.host.enabled) specs.push_back(host::hostSourceSpec(config.host));
  return specs;
}

}  // namespace orion::watcher
