#include "config/schema.h"

#include <algorithm>
#include <limits>

#include "config/field_builders.h"

namespace orion::config {

namespace {

using namespace std::chrono_literals;
namespace b = builders;

constexpr double kUnbounded = std::numeric_limits<double>::max();

// Stream names are "<prefix>:<type>s" on Redis too, so the prefix stays a plain word.
Status checkStreamPrefix(std::string_view text) {
  bool ok = !text.empty();
  for (char c : text) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '_' || c == '-' || c == '.');
  }
  if (ok) return Status::ok();
  return invalidArgument("expected a stream prefix of letters, digits, '_', '-' or '.', got '" +
                         std::string(text) + "'");
}

Status checkMountPoint(std::string_view text) {
  if (!text.empty() && text.front() == '/') return Status::ok();
  return invalidArgument("expected an absolute mount point such as /var, got '" +
                         std::string(text) + "'");
}

// Accepts the original's spellings (INFO, WARNING) and stores spdlog's ("info", "warn").
Field logLevel() {
  Field field{"log.level", ValueKind::kChoice, {}, {}};
  field.assign = [](const RawValue& value, Config& config) -> Status {
    if (value.shape != RawValue::Shape::kScalar) {
      return b::wrongShape("a log level such as info", value);
    }
    std::string level = toLower(trim(value.text));
    if (level == "warning") level = "warn";
    ORION_RETURN_IF_ERROR(checkLogLevel(level));
    config.log.level = level;
    return Status::ok();
  };
  field.read = [](const Config& config) { return RawValue::scalar(config.log.level); };
  return field;
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

std::vector<Field> buildFields() {
  std::vector<Field> f;
  f.push_back(b::nonEmptyText(
      "node.name", "a non-empty node name", [](auto& c) -> auto& { return c.node.name; }));
  f.push_back(b::nonEmptyText(
      "state_dir", "a directory path", [](auto& c) -> auto& { return c.state_dir; }));
  f.push_back(logLevel());
  f.push_back(b::choice<LogFormat>(
      "log.format",
      {{"auto", LogFormat::kAuto}, {"text", LogFormat::kText}, {"json", LogFormat::kJson}},
      [](auto& c) -> auto& { return c.log.format; }));

  f.push_back(b::text(
      "bus.url", "a bus URL", [](auto& c) -> auto& { return c.bus.url; }, checkBusUrl));
  f.push_back(b::text(
      "bus.stream_prefix", "a stream prefix", [](auto& c) -> auto& { return c.bus.stream_prefix; },
      checkStreamPrefix));
  f.push_back(b::integer(
      "bus.max_stream_length", 1, 100'000'000,
      [](auto& c) -> auto& { return c.bus.max_stream_length; }));
  f.push_back(b::choice<std::string>(
      "bus.when_full", {{"drop_oldest", "drop_oldest"}, {"block", "block"}},
      [](auto& c) -> auto& { return c.bus.when_full; }));
  f.push_back(b::duration(
      "bus.block_timeout", 0ms, 1min, [](auto& c) -> auto& { return c.bus.block_timeout; }));
  f.push_back(b::integer(
      "bus.max_deliveries", 1, 100, [](auto& c) -> auto& { return c.bus.max_deliveries; }));
  f.push_back(b::duration(
      "bus.redelivery_delay", 0ms, 1min, [](auto& c) -> auto& { return c.bus.redelivery_delay; }));

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

  f.push_back(b::duration(
      "guardian.correlation_window", 1ms, 24h,
      [](auto& c) -> auto& { return c.guardian.correlation_window; }));
  f.push_back(b::integer(
      "guardian.max_open_incidents", 1, 10'000'000,
      [](auto& c) -> auto& { return c.guardian.max_open_incidents; }));

  f.push_back(b::choice<Autonomy>(
      "brain.autonomy_level",
      {{"N0", Autonomy::kN0}, {"N1", Autonomy::kN1}, {"N2", Autonomy::kN2}, {"N3", Autonomy::kN3}},
      [](auto& c) -> auto& { return c.brain.autonomy_level; }));
  f.push_back(b::nonEmptyText(
      "brain.policy_dir", "a directory path", [](auto& c) -> auto& { return c.brain.policy_dir; }));

  f.push_back(b::duration(
      "approval.default_timeout", 1s, 3600s,
      [](auto& c) -> auto& { return c.approval.default_timeout; }));
  f.push_back(b::duration(
      "approval.max_timeout", 1s, 3600s, [](auto& c) -> auto& { return c.approval.max_timeout; }));

  f.push_back(b::boolean(
      "commander.dry_run", [](auto& c) -> auto& { return c.commander.dry_run; }));

  f.push_back(b::nonEmptyText(
      "memory.audit_file", "a file path", [](auto& c) -> auto& { return c.memory.audit_file; }));
  f.push_back(b::duration(
      "memory.sync_interval", 1ms, 1min, [](auto& c) -> auto& { return c.memory.sync_interval; }));

  f.push_back(b::boolean(
      "api.enabled", [](auto& c) -> auto& { return c.api.enabled; }));
  f.push_back(b::text(
      "api.listen", "host:port", [](auto& c) -> auto& { return c.api.listen; },
      checkListenAddress));
  return f;
}

}  // namespace

RawValue RawValue::mapping() {
  RawValue value;
  value.shape = Shape::kMapping;
  return value;
}

RawValue RawValue::scalar(std::string text) {
  RawValue value;
  value.text = std::move(text);
  return value;
}

RawValue RawValue::list(std::vector<std::string> items) {
  RawValue value;
  value.shape = Shape::kList;
  value.items = std::move(items);
  return value;
}

RawValue RawValue::null() {
  RawValue value;
  value.shape = Shape::kNull;
  return value;
}

Schema::Schema() : fields_(buildFields()) {
  for (size_t i = 0; i < fields_.size(); ++i) {
    const std::string& path = fields_[i].path;
    by_path_.emplace(path, i);
    by_env_name_.emplace(envName(path), i);
    // Register each enclosing group once, keeping first-seen order for rendering.
    std::string parent;
    size_t start = 0;
    while (true) {
      size_t dot = path.find('.', start);
      std::string name = path.substr(start, dot == std::string::npos ? dot : dot - start);
      auto& siblings = children_[parent];
      if (std::find(siblings.begin(), siblings.end(), name) == siblings.end()) {
        siblings.push_back(name);
      }
      if (dot == std::string::npos) break;
      parent = path.substr(0, dot);
      groups_.insert(parent);
      start = dot + 1;
    }
  }
  aliases_.emplace("ORION_AUTONOMY_LEVEL", "brain.autonomy_level");
}

const Field* Schema::find(std::string_view path) const {
  auto it = by_path_.find(path);
  return it == by_path_.end() ? nullptr : &fields_[it->second];
}

const std::vector<std::string>& Schema::childrenOf(std::string_view group) const {
  static const std::vector<std::string> kNone;
  auto it = children_.find(group);
  return it == children_.end() ? kNone : it->second;
}

std::string Schema::envName(std::string_view path) {
  std::string name = "ORION_" + toUpper(path);
  for (char& c : name) {
    if (c == '.') c = '_';
  }
  return name;
}

const Field* Schema::findByEnvName(std::string_view name) const {
  constexpr std::string_view kPrefix = "ORION_";
  if (name.substr(0, kPrefix.size()) != kPrefix) return nullptr;
  std::string upper = std::string(kPrefix) + toUpper(name.substr(kPrefix.size()));
  if (auto alias = aliases_.find(upper); alias != aliases_.end()) return find(alias->second);
  auto it = by_env_name_.find(upper);
  return it == by_env_name_.end() ? nullptr : &fields_[it->second];
}

bool Schema::isAlias(std::string_view name) const {
  constexpr std::string_view kPrefix = "ORION_";
  if (name.substr(0, kPrefix.size()) != kPrefix) return false;
  return aliases_.count(std::string(kPrefix) + toUpper(name.substr(kPrefix.size()))) > 0;
}

std::vector<std::string> Schema::envNames() const {
  std::vector<std::string> names;
  for (const auto& field : fields_) names.push_back(envName(field.path));
  for (const auto& [alias, path] : aliases_) names.push_back(alias);
  for (auto reserved : kReservedEnvNames) names.emplace_back(reserved);
  return names;
}

}  // namespace orion::config
