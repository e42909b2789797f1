// The declarative table of every configuration key: its dotted path, how a value is parsed and
// checked, and how it is read back for rendering. The YAML reader, the ORION_* environment
// mapping, renderYaml and the docs test all walk this one table, so a key added here is at once
// accepted in YAML, settable from the environment, rendered by `orion config show` and required
// in docs/configuration.md. Internal to the config module.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "config/config.h"

namespace orion::config {

// A value as one source delivered it: YAML gives scalars, sequences and nulls; the environment
// gives text (split on commas for list keys).
struct RawValue {
  enum class Shape { kScalar, kList, kNull, kMapping };
  Shape shape = Shape::kScalar;
  std::string text;                // kScalar
  std::vector<std::string> items;  // kList

  static RawValue scalar(std::string text);
  static RawValue list(std::vector<std::string> items);
  static RawValue null();
  static RawValue mapping();  // only ever an error: no key takes a mapping as its value
};

enum class ValueKind { kString, kBool, kInteger, kDuration, kChoice, kThreshold, kList };

struct Field {
  std::string path;  // "watcher.host.interval"
  ValueKind kind;
  // Parses `value` and stores it into `config`. On failure `config` is unchanged and the error
  // reads "expected <what>, got '<text>'" (no location, no key: the caller adds them).
  std::function<Status(const RawValue& value, Config& config)> assign;
  // The field's current value in `config`, in the form assign() accepts.
  std::function<RawValue(const Config& config)> read;
};

class Schema {
 public:
  Schema();

  // Every key, in the order of the Config struct (the order renderYaml writes).
  const std::vector<Field>& fields() const { return fields_; }

  // The leaf at `path`, or nullptr.
  const Field* find(std::string_view path) const;
  // True for a mapping level such as "watcher" or "watcher.host.disk_percent".
  bool isGroup(std::string_view path) const { return groups_.count(std::string(path)) > 0; }
  // Names of the keys directly under `group` ("" is the top level), in order.
  const std::vector<std::string>& childrenOf(std::string_view group) const;

  // ORION_<PATH>: "watcher.host.disk_percent.warning" -> "ORION_WATCHER_HOST_DISK_PERCENT_WARNING".
  static std::string envName(std::string_view path);
  // The leaf an ORION_* variable sets (case-insensitive after the prefix; aliases included), or
  // nullptr.
  const Field* findByEnvName(std::string_view name) const;
  // True when `name` is an alias of a canonical variable (ORION_AUTONOMY_LEVEL).
  bool isAlias(std::string_view name) const;
  // Every variable name loadConfig understands, for suggestions.
  std::vector<std::string> envNames() const;

 private:
  std::vector<Field> fields_;
  std::map<std::string, size_t, std::less<>> by_path_;
  std::map<std::string, size_t, std::less<>> by_env_name_;
  std::map<std::string, std::string, std::less<>> aliases_;  // alias variable -> path
  std::set<std::string> groups_;
  std::map<std::string, std::vector<std::string>, std::less<>> children_;
};

// Names of ORION_* variables that are not configuration keys; loadConfig ignores them.
inline constexpr std::string_view kReservedEnvNames[] = {"ORION_CONFIG", "ORION_ENV_FILE"};

}  // namespace orion::config
