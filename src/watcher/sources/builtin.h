// The source types ORION ships with, and the one place a new type is listed: this turns the
// watcher config into the configured source instances the watcher runs. Called by makeWatcher()
// on the supervisor's thread.
#pragma once

#include <vector>

#include "config/config.h"
#include "watcher/source.h"

namespace orion::watcher {

// The enabled instances, in a stable order (host first). Empty when every source is disabled.
std::vector<SourceSpec> configuredSources(const config::WatcherConfig& config);

}  // namespace orion::watcher
