#include "watcher/sources/containers/selector.h"

namespace orion::watcher::containers {

bool globMatch(std::string_view pattern, std::string_view text) {
  // Iterative matcher with one backtrack point: linear in practice, no recursion.
  size_t p = 0;
  size_t t = 0;
  size_t star = std::string_view::npos;
  size_t resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

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
