// The watcher: turns observations of this host (and, in later issues, its containers and
// services) into `event` documents on the bus. It never decides anything.
//
// Each configured source samples on its own interval on the watcher's thread and publishes an
// event only when something changes state (a metric crosses a warning or critical level, or
// recovers), never one per sample: a quiet host produces no bus traffic. The latest readings are
// exported as gauges (orion_watcher_host_*), which is what the terminal summary shows.
#pragma once

#include <memory>

#include "bus/module_context.h"
#include "common/service.h"
#include "config/config.h"

namespace orion::watcher {

// The watcher service (bus producer of `event`). Owns its sampling thread.
std::unique_ptr<Service> makeWatcher(const config::WatcherConfig& config, ModuleContext context);

}  // namespace orion::watcher
