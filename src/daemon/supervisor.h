// The supervisor: builds the bus and every module from the Config, starts them from memory back to
// the watcher (so nothing is published before its consumers exist) and stops them in pipeline
// order (watcher first), draining each stage before stopping the next, within a deadline.
#pragma once

#include <atomic>
#include <chrono>

#include "common/status.h"
#include "config/config.h"

namespace orion::daemon {

struct RunOptions {
  std::vector<std::string> modules;  // empty: all; else a subset of watcher, guardian, brain,
                                     // approval, commander, memory, api
  bool live_summary = true;          // print the readable live view on a terminal
  std::chrono::milliseconds shutdown_budget{4500};
};

// Runs until SIGINT/SIGTERM (or `stop_requested` becomes true). Returns the process exit code:
// 0 after a clean shutdown, 1 when a module failed to start or the shutdown overran.
int runDaemon(const config::Config& config, const RunOptions& options,
              std::atomic<bool>* stop_requested = nullptr);

}  // namespace orion::daemon
