#include "watcher/sources/host/host_source.h"

#include <algorithm>
#include <utility>

namespace orion::watcher::host {

HostSource::HostSource(config::HostSourceConfig config, SourceContext context,
                       std::unique_ptr<FilesystemStats> filesystems)
    : config_(std::move(config)),
      context_(std::move(context)),
      filesystems_(std::move(filesystems)),
      tracker_(config_.fire_after, config_.clear_after),
      stat_path_(config_.proc_root + "/stat"),
      loadavg_path_(config_.proc_root + "/loadavg"),
      meminfo_path_(config_.proc_root + "/meminfo"),
      mounts_path_(config_.proc_root + "/self/mounts"),
      net_dev_path_(config_.proc_root + "/net/dev"),
      cpu_percent_(context_.metrics.gauge("orion_watcher_host_cpu_percent",
                                          "CPU busy time over the last interval, percent")),
      memory_percent_(context_.metrics.gauge("orion_watcher_host_memory_percent",
                                             "Memory used (MemTotal - MemAvailable), percent")),
      swap_percent_(
          context_.metrics.gauge("orion_watcher_host_swap_percent", "Swap used, percent")),
      load_per_cpu_(context_.metrics.gauge("orion_watcher_host_load_per_cpu",
                                           "1-minute load average divided by the CPU count")) {}

Status HostSource::sample(WallTime now) {
  // Each part reports its own error and the others still run: a malformed meminfo must not hide
  // a full disk.
  std::vector<Status> errors;
  for (Status status : {sampleCpuAndLoad(now), sampleMemory(now), sampleDisks(now),
                        sampleTemperatures(now), sampleNetwork(now)}) {
    if (!status.isOk()) errors.push_back(std::move(status));
  }
  if (errors.empty()) return Status::ok();
  std::string message = errors.front().message();
  for (size_t i = 1; i < errors.size(); ++i) message += "; " + errors[i].message();
  return Status(errors.front().code(), std::move(message));
}

Status HostSource::sampleCpuAndLoad(WallTime now) {
  Status cpu_status;
  Result<std::string_view> stat_text = reader_.read(stat_path_);
  Result<CpuTimes> times =
      stat_text ? parseProcStat(*stat_text, stat_path_) : Result<CpuTimes>(stat_text.status());
  if (times) {
    cpu_count_ = times->cpu_count;
    if (previous_cpu_) {
      if (std::optional<double> percent = cpuPercent(*previous_cpu_, *times)) {
        observe({"host", "cpu", "cpu_percent", "percent", *percent}, config_.cpu_percent,
                cpu_percent_, now);
      }
    }
    previous_cpu_ = *times;
  } else {
    // Without a trustworthy baseline the next good reading starts over.
    previous_cpu_.reset();
    cpu_status = times.status();
  }

  Result<std::string_view> loadavg_text = reader_.read(loadavg_path_);
  Result<double> load = loadavg_text ? parseLoadAverage(*loadavg_text, loadavg_path_)
                                     : Result<double>(loadavg_text.status());
  if (!load) return cpu_status.isOk() ? load.status() : cpu_status;
  if (cpu_count_ > 0) {
    observe({"host", "load", "load_per_cpu", "ratio", *load / cpu_count_}, config_.load_per_cpu,
            load_per_cpu_, now);
  }
  return cpu_status;
}

Status HostSource::sampleMemory(WallTime now) {
  Result<std::string_view> text = reader_.read(meminfo_path_);
  if (!text) return text.status();
  Result<MemInfo> info = parseMemInfo(*text, meminfo_path_);
  if (!info) return info.status();
  observe({"host", "memory", "memory_percent", "percent", info->memoryPercent()},
          config_.memory_percent, memory_percent_, now);
  observe({"host", "swap", "swap_percent", "percent", info->swapPercent()}, config_.swap_percent,
          swap_percent_, now);
  return Status::ok();
}

Result<std::vector<std::string>> HostSource::mountPoints() {
  if (!config_.mounts.empty()) return config_.mounts;
  Result<std::string_view> text = reader_.read(mounts_path_);
  if (!text) return text.status();
  Result<std::vector<MountEntry>> mounts = parseMounts(*text, mounts_path_);
  if (!mounts) return mounts.status();
  std::vector<std::string> points;
  for (MountEntry& entry : selectRealMounts(*mounts))
    points.push_back(std::move(entry.mount_point));
  return points;
}

Status HostSource::sampleDisks(WallTime now) {
  Result<std::vector<std::string>> points = mountPoints();
  if (!points) return points.status();
  Status first_error;
  for (const std::string& point : *points) {
    Result<FilesystemUsage> usage = filesystems_->usage(point);
    if (!usage) {
      if (first_error.isOk()) first_error = usage.status();
      continue;
    }
    observe({"disk", point, "disk_used_percent", "percent", usage->usedPercent()},
            config_.disk_percent,
            labelledGauge("orion_watcher_host_disk_used_percent",
                          "Filesystem space used, percent (as df shows it)", "mount", point),
            now);
    if (std::optional<double> inodes = usage->inodeUsedPercent()) {
      observe({"disk", point, "inode_used_percent", "percent", *inodes}, config_.inode_percent,
              labelledGauge("orion_watcher_host_inode_used_percent",
                            "Filesystem inodes used, percent", "mount", point),
              now);
    }
  }
  return first_error;
}

Status HostSource::sampleTemperatures(WallTime now) {
  if (!sensors_discovered_) {
    sensors_ = discoverSensors(config_.sys_root);
    sensors_discovered_ = true;
  }
  Status first_error;
  for (const Sensor& sensor : sensors_) {
    Result<std::string_view> text = reader_.read(sensor.path);
    Result<double> celsius =
        text ? parseMillidegrees(*text, sensor.path) : Result<double>(text.status());
    if (!celsius) {
      // A sensor that went away (a USB device, a driver reload): look again next time.
      if (first_error.isOk()) first_error = celsius.status();
      sensors_discovered_ = false;
      continue;
    }
    observe({"sensor", sensor.name, "temperature_celsius", "celsius", *celsius},
            config_.temperature_celsius,
            labelledGauge("orion_watcher_host_temperature_celsius", "Sensor temperature, Celsius",
                          "sensor", sensor.name),
            now);
  }
  return first_error;
}

Status HostSource::sampleNetwork(WallTime now) {
  Result<std::string_view> text = reader_.read(net_dev_path_);
  if (!text) {
    // No /proc/net/dev (a fixture tree without it, an odd namespace): nothing to watch.
    return text.status().code() == StatusCode::kNotFound ? Status::ok() : text.status();
  }
  Result<std::vector<InterfaceErrors>> interfaces = parseNetDev(*text, net_dev_path_);
  if (!interfaces) return interfaces.status();
  MonoTime at = context_.clock.monotonic();
  double seconds =
      previous_net_time_ ? std::chrono::duration<double>(at - *previous_net_time_).count() : 0.0;
  previous_net_time_ = at;
  for (const InterfaceErrors& interface : *interfaces) {
    bool wanted = config_.interfaces.empty()
                      ? interface.name != "lo"
                      : std::find(config_.interfaces.begin(), config_.interfaces.end(),
                                  interface.name) != config_.interfaces.end();
    if (!wanted) continue;
    auto [previous, fresh] = previous_errors_.try_emplace(interface.name, interface.total());
    uint64_t before = previous->second;
    previous->second = interface.total();
    // A first reading, no time passed, or a counter reset (driver reload): re-baseline.
    if (fresh || seconds <= 0 || interface.total() < before) continue;
    double rate = static_cast<double>(interface.total() - before) / seconds;
    observe({"interface", interface.name, "net_errors_per_second", "per_second", rate},
            config_.net_errors_per_second,
            labelledGauge("orion_watcher_host_net_errors_per_second",
                          "Receive + transmit errors of an interface, per second", "interface",
                          interface.name),
            now);
  }
  return Status::ok();
}

Gauge& HostSource::labelledGauge(const char* name, const char* help, const char* label,
                                 const std::string& value) {
  std::string key = std::string(name) + '\0' + value;
  auto it = labelled_gauges_.find(key);
  if (it == labelled_gauges_.end()) {
    Gauge& registered = context_.metrics.gauge(name, help, {{label, value}});
    it = labelled_gauges_.emplace(std::move(key), &registered).first;
  }
  return *it->second;
}

void HostSource::observe(const Reading& reading, const config::ThresholdConfig& thresholds,
                         Gauge& gauge, WallTime now) {
  gauge.set(reading.value);
  std::optional<Transition> transition = tracker_.observe(reading, thresholds);
  if (!transition) return;
  contracts::Event event =
      makeThresholdEvent(kEventSource, context_.node, reading, *transition, now);
  // The publisher logs and counts a failure; leaving the level unannounced makes the next sample
  // try again.
  if (context_.publisher.publish(event).isOk()) tracker_.announce(reading, transition->to);
}

SourceSpec hostSourceSpec(const config::HostSourceConfig& config) {
  return SourceSpec{"host",
                    "host",
                    [config](SourceContext context) -> Result<std::unique_ptr<Source>> {
                      return std::unique_ptr<Source>(std::make_unique<HostSource>(
                          config, std::move(context), makeStatvfsFilesystemStats()));
                    },
                    {}};
}

}  // namespace orion::watcher::host
