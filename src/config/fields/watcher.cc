#include <limits>

#include "config/field_builders.h"
#include "config/fields/fields.h"
#include "config/instance_list.h"

namespace orion::config {

namespace {

using namespace std::chrono_literals;
namespace b = builders;

constexpr double kUnbounded = std::numeric_limits<double>::max();

Status checkAbsolutePath(std::string_view text, std::string_view example) {
  if (!text.empty() && text.front() == '/') return Status::ok();
  return invalidArgument("expected an absolute path such as " + std::string(example) + ", got '" +
                         std::string(text) + "'");
}

Status checkMountPoint(std::string_view text) {
  if (!text.empty() && text.front() == '/') return Status::ok();
  return invalidArgument("expected an absolute mount point such as /var, got '" +
                         std::string(text) + "'");
}

Status checkInterface(std::string_view text) {
  if (!text.empty() && text.size() < 16 && text.find('/') == std::string_view::npos) {
    return Status::ok();
  }
  return invalidArgument("expected a network interface name such as eth0, got '" +
                         std::string(text) + "'");
}

// Label names as Prometheus allows them: [a-zA-Z_][a-zA-Z0-9_]*.
Status checkLabelName(std::string_view text) {
  bool ok = !text.empty() && !(text.front() >= '0' && text.front() <= '9');
  for (char c : text) {
    ok = ok &&
         ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_');
  }
  if (ok) return Status::ok();
  return invalidArgument("expected a label name of letters, digits and '_'");
}

Status checkAnything(std::string_view) { return Status::ok(); }

// "200", or a class such as "2xx".
Status checkStatusPattern(std::string_view text) {
  bool ok = text.size() == 3 && text[0] >= '1' && text[0] <= '5';
  bool is_class = ok && text.substr(1) == "xx";
  for (size_t i = 1; ok && !is_class && i < 3; ++i) ok = text[i] >= '0' && text[i] <= '9';
  if (ok) return Status::ok();
  return invalidArgument("expected a status code such as 200 or a class such as 2xx, got '" +
                         std::string(text) + "'");
}

// "key" or "key=value".
Status checkLabelSelector(std::string_view text) {
  if (!text.empty() && text.front() != '=') return Status::ok();
  return invalidArgument("expected key or key=value, got '" + std::string(text) + "'");
}

Status checkOrdered(const ThresholdConfig& levels, const std::string& key) {
  if (!levels.warning || !levels.critical) return Status::ok();
  bool ordered = *levels.warning <= *levels.critical;
  if (ordered) return Status::ok();
  return invalidArgument(key + ".warning (" + formatNumber(*levels.warning) + ") must not exceed " +
                         key + ".critical (" + formatNumber(*levels.critical) + ")");
}

void addHostThresholds(std::vector<Field>& fields, const std::string& metric, double max,
                       ThresholdConfig HostSourceConfig::*member) {
  std::string prefix = "watcher.host." + metric;
  fields.push_back(b::threshold(
      prefix + ".warning", 0,
      max, [member](auto& c) -> auto& { return (c.watcher.host.*member).warning; }));
  fields.push_back(b::threshold(
      prefix + ".critical", 0,
      max, [member](auto& c) -> auto& { return (c.watcher.host.*member).critical; }));
}

// interval and labels, which every source type has.
template <typename T>
void addCommonFields(std::vector<BasicField<T>>& f) {
  f.push_back(b::duration<T>(
      "interval", 100ms, 24h, [](auto& c) -> auto& { return c.interval; }));
  f.push_back(b::stringMap<T>(
      "labels", "a mapping of label names to strings", [](auto& c) -> auto& { return c.labels; },
      checkLabelName));
}

template <typename T>
void addHysteresisFields(std::vector<BasicField<T>>& f) {
  f.push_back(b::integer<T>(
      "fire_after", 1, 100, [](auto& c) -> auto& { return c.fire_after; }));
  f.push_back(b::integer<T>(
      "clear_after", 1, 100, [](auto& c) -> auto& { return c.clear_after; }));
}

template <typename T>
void addProbeFields(std::vector<BasicField<T>>& f) {
  addCommonFields(f);
  f.push_back(b::text<T>(
      "service_name", "a service name", [](auto& c) -> auto& { return c.service_name; },
      checkAnything));
  addHysteresisFields(f);
}

InstanceType<SourceSettings> containersType() {
  using T = ContainersSourceConfig;
  std::vector<BasicField<T>> f;
  addCommonFields(f);
  f.push_back(b::text<T>(
      "socket", "a unix socket path or unix:// URL", [](auto& c) -> auto& { return c.socket; },
      [](std::string_view text) -> Status {
        if (text.empty() || text.front() == '/' || text.substr(0, 7) == "unix://") {
          return Status::ok();
        }
        return invalidArgument("expected an absolute socket path or unix:///path, got '" +
                               std::string(text) + "'");
      }));
  f.push_back(b::list<T>(
      "select_labels", "a list of key or key=value",
      [](auto& c) -> auto& { return c.select_labels; }, checkLabelSelector));
  f.push_back(b::list<T>(
      "select_names", "a list of name patterns", [](auto& c) -> auto& { return c.select_names; },
      checkAnything));
  f.push_back(b::duration<T>(
      "request_timeout", 100ms, 5min, [](auto& c) -> auto& { return c.request_timeout; }));
  f.push_back(b::boolean<T>(
      "exit_watch", [](auto& c) -> auto& { return c.exit_watch; }));
  return instanceType<SourceSettings>("containers", T{}, std::move(f));
}

InstanceType<SourceSettings> httpType() {
  using T = HttpProbeConfig;
  std::vector<BasicField<T>> f;
  addProbeFields(f);
  f.push_back(b::text<T>(
      "url", "an http:// or https:// URL", [](auto& c) -> auto& { return c.url; }, checkHttpUrl));
  f.push_back(b::choice<std::string, T>(
      "method",
      {{"GET", "GET"}, {"HEAD", "HEAD"}, {"POST", "POST"}, {"PUT", "PUT"}, {"OPTIONS", "OPTIONS"}},
      [](auto& c) -> auto& { return c.method; }));
  f.push_back(b::list<T>(
      "expect_status", "a list of status codes or classes",
      [](auto& c) -> auto& { return c.expect_status; }, checkStatusPattern));
  f.push_back(b::text<T>(
      "body_contains", "a string", [](auto& c) -> auto& { return c.body_contains; },
      checkAnything));
  f.push_back(b::duration<T>(
      "timeout", 10ms, 5min, [](auto& c) -> auto& { return c.timeout; }));
  f.push_back(b::duration<T>(
      "max_latency", 0ms, 5min, [](auto& c) -> auto& { return c.max_latency; }));
  f.push_back(b::boolean<T>(
      "verify_tls", [](auto& c) -> auto& { return c.verify_tls; }));
  return instanceType<SourceSettings>("http", T{}, std::move(f), [](const T& c) -> Status {
    if (c.url.empty()) return invalidArgument("url: required for type http");
    if (c.expect_status.empty()) return invalidArgument("expect_status: must not be empty");
    return Status::ok();
  });
}

InstanceType<SourceSettings> tcpType() {
  using T = TcpProbeConfig;
  std::vector<BasicField<T>> f;
  addProbeFields(f);
  f.push_back(b::nonEmptyText<T>(
      "host", "a host name or address", [](auto& c) -> auto& { return c.host; }));
  f.push_back(b::integer<T>(
      "port", 1, 65535, [](auto& c) -> auto& { return c.port; }));
  f.push_back(b::duration<T>(
      "timeout", 10ms, 5min, [](auto& c) -> auto& { return c.timeout; }));
  return instanceType<SourceSettings>("tcp", T{}, std::move(f), [](const T& c) -> Status {
    if (c.port == 0) return invalidArgument("port: required for type tcp");
    return Status::ok();
  });
}

InstanceType<SourceSettings> processType() {
  using T = ProcessCheckConfig;
  std::vector<BasicField<T>> f;
  addProbeFields(f);
  f.push_back(b::text<T>(
      "process_name", "a process name", [](auto& c) -> auto& { return c.process_name; },
      [](std::string_view text) -> Status {
        // The kernel keeps 15 characters of a command name in /proc/<pid>/comm.
        if (text.size() <= 15 && text.find('/') == std::string_view::npos) return Status::ok();
        return invalidArgument(
            "expected a command name of at most 15 characters without '/', "
            "as ps -o comm shows it, got '" +
            std::string(text) + "'");
      }));
  f.push_back(b::text<T>(
      "pidfile", "an absolute path", [](auto& c) -> auto& { return c.pidfile; },
      [](std::string_view text) -> Status {
        return text.empty() ? Status::ok() : checkAbsolutePath(text, "/run/sshd.pid");
      }));
  f.push_back(b::integer<T>(
      "min_count", 1, 100000, [](auto& c) -> auto& { return c.min_count; }));
  f.push_back(b::nonEmptyText<T>(
      "proc_root", "a directory path", [](auto& c) -> auto& { return c.proc_root; }));
  return instanceType<SourceSettings>("process", T{}, std::move(f), [](const T& c) -> Status {
    if (c.process_name.empty() == c.pidfile.empty()) {
      return invalidArgument("expected exactly one of process_name and pidfile");
    }
    return Status::ok();
  });
}

Status checkPrometheus(const PrometheusSourceConfig& c) {
  if (c.query.empty()) return invalidArgument("query: required for type prometheus");
  if (c.mode == "service") return Status::ok();
  if (!c.threshold.warning && !c.threshold.critical) {
    return invalidArgument("mode threshold needs threshold.warning or threshold.critical");
  }
  if (!c.below) return checkOrdered(c.threshold, "threshold");
  if (c.threshold.warning && c.threshold.critical && *c.threshold.warning < *c.threshold.critical) {
    return invalidArgument("with below: true, threshold.warning (" +
                           formatNumber(*c.threshold.warning) + ") must not be below " +
                           "threshold.critical (" + formatNumber(*c.threshold.critical) + ")");
  }
  return Status::ok();
}

InstanceType<SourceSettings> prometheusType() {
  using T = PrometheusSourceConfig;
  std::vector<BasicField<T>> f;
  addCommonFields(f);
  f.push_back(b::text<T>(
      "url", "an http:// or https:// URL", [](auto& c) -> auto& { return c.url; }, checkHttpUrl));
  f.push_back(b::nonEmptyText<T>(
      "query", "a PromQL expression", [](auto& c) -> auto& { return c.query; }));
  f.push_back(b::choice<std::string, T>(
      "mode", {{"threshold", "threshold"}, {"service", "service"}},
      [](auto& c) -> auto& { return c.mode; }));
  f.push_back(b::threshold<T>(
      "threshold.warning", -kUnbounded, kUnbounded,
      [](auto& c) -> auto& { return c.threshold.warning; }));
  f.push_back(b::threshold<T>(
      "threshold.critical", -kUnbounded, kUnbounded,
      [](auto& c) -> auto& { return c.threshold.critical; }));
  f.push_back(b::boolean<T>(
      "below", [](auto& c) -> auto& { return c.below; }));
  f.push_back(b::nonEmptyText<T>(
      "resource_label", "a label name", [](auto& c) -> auto& { return c.resource_label; }));
  f.push_back(b::nonEmptyText<T>(
      "metric", "a metric name", [](auto& c) -> auto& { return c.metric; }));
  f.push_back(b::text<T>(
      "unit", "a unit", [](auto& c) -> auto& { return c.unit; }, checkAnything));
  f.push_back(b::duration<T>(
      "timeout", 10ms, 5min, [](auto& c) -> auto& { return c.timeout; }));
  addHysteresisFields(f);
  T defaults;
  defaults.interval = 60s;
  return instanceType<SourceSettings>("prometheus", defaults, std::move(f), checkPrometheus);
}

}  // namespace

Status checkHttpUrl(std::string_view text) {
  if (text.substr(0, 7) == "http://" || text.substr(0, 8) == "https://") {
    std::string_view rest = text.substr(text.find("//") + 2);
    if (!rest.empty() && rest.front() != '/') return Status::ok();
  }
  return invalidArgument("expected an http:// or https:// URL, got '" + std::string(text) + "'");
}

std::vector<InstanceType<SourceSettings>> watcherSourceTypes() {
  return {containersType(), httpType(), tcpType(), processType(), prometheusType()};
}

void addWatcherFields(std::vector<Field>& f) {
  f.push_back(b::boolean(
      "watcher.host.enabled", [](auto& c) -> auto& { return c.watcher.host.enabled; }));
  f.push_back(b::duration(
      "watcher.host.interval", 100ms, 24h,
      [](auto& c) -> auto& { return c.watcher.host.interval; }));
  addHostThresholds(f, "cpu_percent", 100, &HostSourceConfig::cpu_percent);
  addHostThresholds(f, "memory_percent", 100, &HostSourceConfig::memory_percent);
  addHostThresholds(f, "swap_percent", 100, &HostSourceConfig::swap_percent);
  addHostThresholds(f, "disk_percent", 100, &HostSourceConfig::disk_percent);
  addHostThresholds(f, "inode_percent", 100, &HostSourceConfig::inode_percent);
  addHostThresholds(f, "load_per_cpu", kUnbounded, &HostSourceConfig::load_per_cpu);
  addHostThresholds(f, "temperature_celsius", 200, &HostSourceConfig::temperature_celsius);
  addHostThresholds(f, "net_errors_per_second", kUnbounded,
                    &HostSourceConfig::net_errors_per_second);
  f.push_back(b::integer(
      "watcher.host.fire_after", 1, 100,
      [](auto& c) -> auto& { return c.watcher.host.fire_after; }));
  f.push_back(b::integer(
      "watcher.host.clear_after", 1, 100,
      [](auto& c) -> auto& { return c.watcher.host.clear_after; }));
  f.push_back(b::list(
      "watcher.host.mounts", "a list of mount points",
      [](auto& c) -> auto& { return c.watcher.host.mounts; }, checkMountPoint));
  f.push_back(b::list(
      "watcher.host.interfaces", "a list of interface names",
      [](auto& c) -> auto& { return c.watcher.host.interfaces; }, checkInterface));
  f.push_back(b::nonEmptyText(
      "watcher.host.proc_root", "a directory path",
      [](auto& c) -> auto& { return c.watcher.host.proc_root; }));
  f.push_back(b::nonEmptyText(
      "watcher.host.sys_root", "a directory path",
      [](auto& c) -> auto& { return c.watcher.host.sys_root; }));
  f.push_back(b::instanceList<SourceSettings>(
      "watcher.sources", watcherSourceTypes(), [](auto& c) -> auto& { return c.watcher.sources; }));
}

}  // namespace orion::config
