// The host source: CPU %, 1-minute load per CPU, memory and swap used %, and disk used % per real
// mount of the machine ORION runs on, read from <proc_root> (and statvfs) every interval.
//
// Each reading updates a gauge (orion_watcher_host_cpu_percent, _memory_percent, _swap_percent,
// _load_per_cpu, _disk_used_percent{mount}) and is compared with its configured thresholds; a
// change of level publishes one `metric_threshold_exceeded` event from "orion-watcher-host"
// (see threshold.h). CPU % needs two /proc/stat readings, so the first sample reports no CPU.
// Swap has no configured thresholds yet: it is a gauge only.
//
// Called on the watcher's sampling thread only.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "config/config.h"
#include "watcher/source.h"
#include "watcher/sources/host/file_reader.h"
#include "watcher/sources/host/filesystem_stats.h"
#include "watcher/sources/host/host_parsers.h"
#include "watcher/threshold.h"

namespace orion::watcher::host {

inline constexpr std::string_view kEventSource = "orion-watcher-host";

class HostSource final : public Source {
 public:
  HostSource(config::HostSourceConfig config, SourceContext context,
             std::unique_ptr<FilesystemStats> filesystems);

  std::string_view type() const override { return "host"; }
  Duration interval() const override { return config_.interval; }
  Status sample(WallTime now) override;

 private:
  Status sampleCpuAndLoad(WallTime now);
  Status sampleMemory(WallTime now);
  Status sampleDisks(WallTime now);
  Result<std::vector<std::string>> mountPoints();
  // Sets the gauge, and publishes an event if the reading changes its announced level.
  void observe(const Reading& reading, const config::ThresholdConfig& thresholds, Gauge& gauge,
               WallTime now);

  config::HostSourceConfig config_;
  SourceContext context_;
  std::unique_ptr<FilesystemStats> filesystems_;
  FileReader reader_;
  ThresholdTracker tracker_;
  std::optional<CpuTimes> previous_cpu_;
  int cpu_count_ = 0;
  const config::ThresholdConfig no_thresholds_{};

  std::string stat_path_;
  std::string loadavg_path_;
  std::string meminfo_path_;
  std::string mounts_path_;

  Gauge& cpu_percent_;
  Gauge& memory_percent_;
  Gauge& swap_percent_;
  Gauge& load_per_cpu_;
  std::map<std::string, Gauge*, std::less<>> disk_used_percent_;  // by mount point
};

// The configured host instance (instance name "host"), reading disks with statvfs().
SourceSpec hostSourceSpec(const config::HostSourceConfig& config);

}  // namespace orion::watcher::host
