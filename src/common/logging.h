// Logging through spdlog. One process-wide sink on stderr, configured once at start by the daemon
// or CLI: human-readable text when stderr is a terminal, one JSON object per line otherwise (or as
// the config's `log.format` says). Each module asks for a named logger ("guardian", "watcher.host")
// that shares that sink. Loggers are thread-safe.
//
// Tests assert on metrics, audit records and returned values, never on log text.
#pragma once

#include <spdlog/spdlog.h>

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace orion {

enum class LogFormat { kAuto, kText, kJson };

struct LogSettings {
  std::string level = "info";  // trace, debug, info, warn, error, critical, off
  LogFormat format = LogFormat::kAuto;
};

using Logger = std::shared_ptr<spdlog::logger>;

// Validates a level name; returns kInvalidArgument naming the accepted values otherwise.
Status checkLogLevel(std::string_view level);

// Installs the sink and level for every logger made afterwards (and already made ones).
Status configureLogging(const LogSettings& settings);

// A logger named `name` that writes to the configured sink. Cheap to call; cache the result.
Logger makeLogger(std::string_view name);

}  // namespace orion
