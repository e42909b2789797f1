#include "config/consistency.h"

#include <string>

#include "common/time.h"
#include "config/values.h"

namespace orion::config {

namespace {

// Reports `lower` > `upper` at the origin of the key set last.
void checkOrdered(const std::string& lower_key, const std::string& lower_text,
                  const std::string& upper_key, const std::string& upper_text,
                  const std::string& lower_name, const std::string& upper_name,
                  Diagnostics& diagnostics) {
  if (diagnostics.sequenceOf(lower_key) >= diagnostics.sequenceOf(upper_key)) {
    diagnostics.error(diagnostics.originOf(lower_key), lower_key + ": expected at most " +
                                                           upper_name + " (" + upper_text +
                                                           "), got " + lower_text);
  } else {
    diagnostics.error(diagnostics.originOf(upper_key), upper_key + ": expected at least " +
                                                           lower_name + " (" + lower_text +
                                                           "), got " + upper_text);
  }
}

}  // namespace

void checkConsistency(const Config& config, Diagnostics& diagnostics) {
  const HostSourceConfig& host = config.watcher.host;
  const std::pair<const char*, const ThresholdConfig*> thresholds[] = {
      {"cpu_percent", &host.cpu_percent},
      {"memory_percent", &host.memory_percent},
      {"swap_percent", &host.swap_percent},
      {"disk_percent", &host.disk_percent},
      {"inode_percent", &host.inode_percent},
      {"load_per_cpu", &host.load_per_cpu},
      {"temperature_celsius", &host.temperature_celsius},
      {"net_errors_per_second", &host.net_errors_per_second},
  };
  for (const auto& [metric, levels] : thresholds) {
    if (!levels->warning || !levels->critical || *levels->warning <= *levels->critical) continue;
    std::string prefix = std::string("watcher.host.") + metric;
    checkOrdered(prefix + ".warning", formatNumber(*levels->warning), prefix + ".critical",
                 formatNumber(*levels->critical), "the warning level", "the critical level",
                 diagnostics);
  }
  const ApprovalConfig& approval = config.approval;
  if (approval.default_timeout > approval.max_timeout) {
    checkOrdered("approval.default_timeout", formatDuration(approval.default_timeout),
                 "approval.max_timeout", formatDuration(approval.max_timeout),
                 "approval.default_timeout", "approval.max_timeout", diagnostics);
  }
  const BusConfig& bus = config.bus;
  if (bus.reconnect_initial_delay > bus.reconnect_max_delay) {
    checkOrdered("bus.reconnect_initial_delay", formatDuration(bus.reconnect_initial_delay),
                 "bus.reconnect_max_delay", formatDuration(bus.reconnect_max_delay),
                 "bus.reconnect_initial_delay", "bus.reconnect_max_delay", diagnostics);
  }
}

}  // namespace orion::config
