#include "watcher/watcher.h"

#include "watcher/sources/builtin.h"
#include "watcher/watcher_service.h"

namespace orion::watcher {

std::unique_ptr<Service> makeWatcher(const config::WatcherConfig& config, ModuleContext context) {
  auto service = std::make_unique<WatcherService>(std::move(context));
  for (const SourceSpec& spec : configuredSources(config)) service->addSource(spec);
  return service;
}

}  // namespace orion::watcher
