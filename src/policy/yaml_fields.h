// Reading one policy file strictly, with errors that say where and what was expected. Internal to
// the policy module (the per-file loaders use it).
//
// A MapReader wraps one YAML mapping at a key path ("safe_actions[2]"). Constructing it reports a
// node that is not a mapping and every key not in `allowed` (with the nearest valid key); each
// read reports a missing required key or a value of the wrong shape or range. Every problem goes
// to the shared Diagnostics as "<file>:<line>: <path>.<key>: <message>", and reading goes on, so
// one `orion policy check` lists every mistake at once.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "config/diagnostics.h"
#include "policy/policy.h"

namespace orion::policy {

// What YAML shape a node has, for messages: "a mapping", "a list", "'text'", "nothing".
std::string describeNode(const YAML::Node& node);

class MapReader {
 public:
  MapReader(const YAML::Node& node, std::string file, std::string path,
            config::Diagnostics& diagnostics, std::vector<std::string> allowed);

  bool isMap() const { return is_map_; }
  bool has(const std::string& key) const;
  YAML::Node child(const std::string& key) const;
  // "safe_actions[2].action_type" (or just "action_type" at the top level).
  std::string pathOf(const std::string& key) const;
  // "<file>:<line>" of the key's value, or of this mapping when the key is absent.
  std::string at(const std::string& key) const;
  const std::string& file() const { return file_; }

  // Records "<at(key)>: <pathOf(key)>: <message>".
  void error(const std::string& key, const std::string& message) const;

  std::optional<std::string> text(const std::string& key, bool required) const;
  // A name: lower-case letters, digits and '_' (or '-' when `allow_dash`), starting with a letter.
  std::optional<std::string> name(const std::string& key, bool required,
                                  bool allow_dash = false) const;
  std::optional<bool> boolean(const std::string& key, bool required) const;
  std::optional<int64_t> integer(const std::string& key, int64_t min, int64_t max,
                                 bool required) const;
  std::optional<Duration> duration(const std::string& key, Duration min, Duration max,
                                   bool required) const;
  // A list of scalars (strings).
  std::optional<std::vector<std::string>> textList(const std::string& key, bool required) const;
  // The value must be exactly `expected` (e.g. version "1.0").
  void expectText(const std::string& key, const std::string& expected) const;

 private:
  YAML::Node node_;
  std::string file_;
  std::string path_;
  config::Diagnostics& diagnostics_;
  bool is_map_ = false;
};

// "<file>:<line>" of `node`.
std::string locationOf(const std::string& file, const YAML::Node& node);

// A list at `key` of `reader` (absent → empty list when not required), reported when not a list.
std::vector<YAML::Node> listAt(const MapReader& reader, const std::string& key, bool required);

// "5 per minute", "10 per hour", "unlimited" (nullopt). kInvalidArgument with "expected …".
Result<std::optional<RateLimit>> parseRateLimit(std::string_view text);

// True for names of lower-case letters, digits and '_' starting with a letter ("restart_service").
bool isIdentifier(std::string_view text, bool allow_dash = false);

}  // namespace orion::policy
