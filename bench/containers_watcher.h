// The watcher configuration of the benches that kill containers (watcher_bench, commander_bench):
// no host source, one containers source "engine" (node "bench") on the engine at `socket`, its
// process-exit watch on or off.
#pragma once

#include <string>

#include "config/config.h"

namespace orion::bench {

inline config::WatcherConfig containersOnlyWatcher(const std::string& socket, bool exit_watch) {
  config::WatcherConfig config;
  config.host.enabled = false;
  config::ContainersSourceConfig containers;
  containers.socket = socket;
  containers.exit_watch = exit_watch;
  config.sources.push_back({"containers", "engine", "bench", containers});
  return config;
}

}  // namespace orion::bench
