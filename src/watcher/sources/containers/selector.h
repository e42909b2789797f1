// Which containers a containers source watches: those matching any `select_labels` entry
// ("key" = the label is present, "key=value" = it has that value) or any `select_names` glob
// ('*' any run, '?' one character), e.g. autoheal's `orion.watch=true`. With neither list set,
// every container is watched. Pure; safe from any thread.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/glob.h"

namespace orion::watcher::containers {

using orion::globMatch;  // common/glob.h

class Selector {
 public:
  Selector(std::vector<std::string> labels, std::vector<std::string> names)
      : labels_(std::move(labels)), names_(std::move(names)) {}

  bool matches(const std::string& name, const std::map<std::string, std::string>& labels) const;

 private:
  std::vector<std::string> labels_;
  std::vector<std::string> names_;
};

}  // namespace orion::watcher::containers
