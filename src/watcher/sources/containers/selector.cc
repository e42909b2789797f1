#include "watcher/sources/containers/selector.h"

namespace orion::watcher::containers {

bool Selector::matches(const std::string& name,
                       const std::map<std::string, std::string>& labels) const {
  if (labels_.empty() && names_.empty()) return true;
  for (const std::string& selector : labels_) {
    size_t equals = selector.find('=');
    auto it = labels.find(selector.substr(0, equals));
    if (it == labels.end()) continue;
    if (equals == std::string::npos || it->second == selector.substr(equals + 1)) return true;
  }
  for (const std::string& pattern : names_) {
    if (globMatch(pattern, name)) return true;
  }
  return false;
}

}  // namespace orion::watcher::containers
