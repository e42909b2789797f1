#include "watcher/watcher.h"

#include "watcher/source_registry.h"
#include "watcher/watcher_service.h"

namespace orion::watcher {

std::unique_ptr<Service> makeWatcher(const config::WatcherConfig& config, ModuleContext context) {
  SourceRegistry registry;
  registerBuiltinSources(registry);
  auto service = std::make_unique<WatcherService>(std::move(context));
  for (const SourceSpec& spec : configuredSources(config, registry)) service->addSource(spec);
  return service;
}

}  // namespace orion::watcher
