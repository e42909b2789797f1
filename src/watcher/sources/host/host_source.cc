#include "watcher/sources/host/host_source.h"

#include <utility>

namespace orion::watcher::host {

HostSource::HostSource(config::HostSourceConfig config, SourceContext context,
                       std::unique_ptr<FilesystemStats> filesystems)
    : config_(std::move(config)),
      context_(std::move(context)),
      filesystems_(std::move(filesystems)),
      stat_path_(config_.proc_root + "/stat"),
      loadavg_path_(config_.proc_root + "/loadavg"),
      meminfo_path_(config_.proc_root + "/meminfo"),
      mounts_path_(config_.proc_root + "/self/mounts"),
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
  for (Status status : {sampleCpuAndLoad(now), sampleMemory(now), sampleDisks(now)}) {
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
  observe({"host", "swap", "swap_percent", "percent", info->swapPercent()}, no_thresholds_,
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
    auto gauge = disk_used_percent_.find(point);
    if (gauge == disk_used_percent_.end()) {
      Gauge& registered = context_.metrics.gauge("orion_watcher_host_disk_used_percent",
                                                 "Filesystem space used, percent (as df shows it)",
                                                 {{"mount", point}});
      gauge = disk_used_percent_.emplace(point, &registered).first;
    }
    observe({"disk", point, "disk_used_percent", "percent", usage->usedPercent()},
            config_.disk_percent, *gauge->second, now);
  }
  return first_error;
}

void HostSource::observe(const Reading& reading, const config::ThresholdConfig& thresholds,
                         Gauge& gauge, WallTime now) {
  gauge.set(reading.value);
  std::optional<Transition> transition = tracker_.check(reading, thresholds);
  if (!transition) return;
  contracts::Event event =
      makeThresholdEvent(kEventSource, context_.node, reading, *transition, now);
  // The publisher logs and counts a failure; leaving the level unannounced makes the next sample
  // try again.
  if (context_.publisher.publish(event).isOk()) tracker_.announce(reading, transition->to);
}

SourceSpec hostSourceSpec(const config::HostSourceConfig& config) {
  return SourceSpec{
      "host", "host", [config](SourceContext context) -> Result<std::unique_ptr<Source>> {
        return std::unique_ptr<Source>(
            std::make_unique<HostSource>(config, std::move(context), makeStatvfsFilesystemStats()));
      }};
}

}  // namespace orion::watcher::host
