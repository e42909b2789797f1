// Loading one YAML document safely, for every YAML file ORION reads (the configuration, policies).
//
// Debian 12's yaml-cpp 0.7 has a LoadAll() that loops forever, allocating, on some malformed input
// (e.g. a document starting with ','; jbeder/yaml-cpp#1319, fixed after 0.8): a typo in a config
// file must be an error, never a hang that eats the machine's memory. loadYamlDocument() counts the
// documents with a bounded loop over the parser's events, then loads the one with content.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <string_view>

#include "common/status.h"

namespace orion::config {

// The single document of `text`: a null node for an empty text (or one holding only "---" or
// comments). kInvalidArgument "<name>:<line>: invalid YAML: ..." for a syntax error, and
// "<name>:<line>: expected one YAML document, found N" for several documents with content.
Result<YAML::Node> loadYamlDocument(std::string_view text, const std::string& name);

}  // namespace orion::config
