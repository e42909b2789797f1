#include "config/defaults.h"

#include <unistd.h>

namespace orion::config {

namespace {

std::string lookup(const std::map<std::string, std::string>& environment, const std::string& name) {
  auto it = environment.find(name);
  return it == environment.end() ? "" : it->second;
}

}  // namespace

std::string defaultStateDir(const std::map<std::string, std::string>& environment, unsigned uid) {
  if (uid == 0) return "/var/lib/orion";
  // The XDG base-directory spec says to ignore a relative $XDG_STATE_HOME.
  std::string xdg = lookup(environment, "XDG_STATE_HOME");
  if (!xdg.empty() && xdg.front() == '/') return xdg + "/orion";
  std::string home = lookup(environment, "HOME");
  if (!home.empty()) return home + "/.local/state/orion";
  return "./orion-state";
}

std::string defaultStateDir(const std::map<std::string, std::string>& environment) {
  return defaultStateDir(environment, static_cast<unsigned>(geteuid()));
}

std::string hostName() {
  char buffer[256] = {};
  if (gethostname(buffer, sizeof(buffer) - 1) != 0 || buffer[0] == '\0') return "localhost";
  return buffer;
}

Config defaultConfig(const std::map<std::string, std::string>& environment) {
  Config config;
  config.node.name = hostName();
  config.state_dir = defaultStateDir(environment);
  return config;
}

}  // namespace orion::config
