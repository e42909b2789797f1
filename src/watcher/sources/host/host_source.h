// The host source: CPU %, 1-minute load per CPU, memory and swap used %, disk bytes and inodes
// used % per real mount, temperature per sensor and error rate per network interface of the
// machine ORION runs on, read from <proc_root>, <sys_root> (and statvfs) every interval.
//
// Each reading updates a gauge (orion_watcher_host_cpu_percent, _memory_percent, _swap_percent,
// _load_per_cpu, _disk_used_percent{mount}, _inode_used_percent{mount},
// _temperature_celsius{sensor}, _net_errors_per_second{interface}) and is compared with its
// configured thresholds with hysteresis (fire_after / clear_after samples); a change of level
// publishes one `metric_threshold_exceeded` event from "orion-watcher-host" (see threshold.h).
// Rates (CPU %, interface errors) need two readings, so the first sample reports neither.
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
#include "watcher/sources/host/sensors.h"
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
  Status sampleTemperatures(WallTime now);
  Status sampleNetwork(WallTime now);
  Result<std::vector<std::string>> mountPoints();
  // The gauge `name`{label=value}, registered on first use.
  Gauge& labelledGauge(const char* name, const char* help, const char* label,
                       const std::string& value);
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
  std::vector<Sensor> sensors_;
  bool sensors_discovered_ = false;
  std::map<std::string, uint64_t, std::less<>> previous_errors_;  // by interface
  std::optional<MonoTime> previous_net_time_;

  std::string stat_path_;
  std::string loadavg_path_;
  std::string meminfo_path_;
  std::string mounts_path_;
  std::string net_dev_path_;

  Gauge& cpu_percent_;
  Gauge& memory_percent_;
  Gauge& swap_percent_;
  Gauge& load_per_cpu_;
  std::map<std::string, Gauge*, std::less<>> labelled_gauges_;  // by name + label value
};

// The configured host instance (instance name "host"), reading disks with statvfs().
SourceSpec hostSourceSpec(const config::HostSourceConfig& config);

}  // namespace orion::watcher::host
