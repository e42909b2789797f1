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
#include "config/key_table.h"

namespace orion::config {

using Field = BasicField<Config>;

class Schema : public KeyTable<Config> {
 public:
  Schema();
  // fields(), find(), isGroup(), childrenOf(): see KeyTable. fields() is in the order of the
  // Config struct (the order renderYaml writes).

  // ORION_<PATH>: "watcher.host.disk_percent.warning" -> "ORION_WATCHER_HOST_DISK_PERCENT_WARNING".
  static std::string envName(std::string_view path);
  // The leaf an ORION_* variable sets (case-insensitive after the prefix; aliases included), or
  // nullptr.
  const Field* findByEnvName(std::string_view name) const;
  // True when `name` is an alias of a canonical variable (ORION_AUTONOMY_LEVEL).
  bool isAlias(std::string_view name) const;
  // Every variable name loadConfig understands, for suggestions. An instance list (kInstances)
  // has no variable of its own; its instances' keys are ORION_<PATH>_<INSTANCE>_<KEY>.
  std::vector<std::string> envNames() const;
  // The instance lists whose variables start ORION_<PATH>_, for findByEnvName misses.
  std::vector<const Field*> instanceLists() const;

 private:
  std::map<std::string, size_t, std::less<>> by_env_name_;
  std::map<std::string, std::string, std::less<>> aliases_;  // alias variable -> path
};

// Names of ORION_* variables that are not configuration keys; loadConfig ignores them.
inline constexpr std::string_view kReservedEnvNames[] = {"ORION_CONFIG", "ORION_ENV_FILE"};

}  // namespace orion::config
