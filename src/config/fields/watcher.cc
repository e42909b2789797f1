#include <limits>

#include "config/field_builders.h"
#include "config/fields/fields.h"

namespace orion::config {

namespace {

using namespace std::chrono_literals;
namespace b = builders;

constexpr double kUnbounded = std::numeric_limits<double>::max();

Status checkMountPoint(std::string_view text) {
  if (!text.empty() && text.front() == '/') return Status::ok();
  return invalidArgument("expected an absolute mount point such as /var, got '" +
                         std::string(text) + "'");
}

void addThresholds(std::vector<Field>& fields, const std::string& metric, double max,
                   ThresholdConfig HostSourceConfig::*member) {
  std::string prefix = "watcher.host." + metric;
  fields.push_back(b::threshold(
      prefix + ".warning", 0,
      max, [member](auto& c) -> auto& { return (c.watcher.host.*member).warning; }));
  fields.push_back(b::threshold(
      prefix + ".critical", 0,
      max, [member](auto& c) -> auto& { return (c.watcher.host.*member).critical; }));
}

}  // namespace

void addWatcherFields(std::vector<Field>& f) {
  f.push_back(b::boolean(
      "watcher.host.enabled", [](auto& c) -> auto& { return c.watcher.host.enabled; }));
  f.push_back(b::duration(
      "watcher.host.interval", 100ms, 24h,
      [](auto& c) -> auto& { return c.watcher.host.interval; }));
  addThresholds(f, "cpu_percent", 100, &HostSourceConfig::cpu_percent);
  addThresholds(f, "memory_percent", 100, &HostSourceConfig::memory_percent);
  addThresholds(f, "disk_percent", 100, &HostSourceConfig::disk_percent);
  addThresholds(f, "load_per_cpu", kUnbounded, &HostSourceConfig::load_per_cpu);
  f.push_back(b::list(
      "watcher.host.mounts", "a list of mount points",
      [](auto& c) -> auto& { return c.watcher.host.mounts; }, checkMountPoint));
  f.push_back(b::nonEmptyText(
      "watcher.host.proc_root", "a directory path",
      [](auto& c) -> auto& { return c.watcher.host.proc_root; }));
  f.push_back(b::nonEmptyText(
      "watcher.host.sys_root", "a directory path",
      [](auto& c) -> auto& { return c.watcher.host.sys_root; }));
}

}  // namespace orion::config
