// Applies a mapping (a RawValue tree from YAML) to a target through its key table: the one place
// that decides what an unknown, misspelt, duplicated or misplaced key, a wrong shape or a bad
// value reports. Used for the top level of orion.yaml (Target = Config) and for each entry of an
// instance list (Target = the plugin type's settings), so both give the same messages:
//   "<file>:<line>: <display path>: <what>".
// Internal to the config module.
#pragma once

#include <map>
#include <string>

#include "config/diagnostics.h"
#include "config/key_table.h"
#include "config/suggest.h"

namespace orion::config {

// "null", "'text'", "a list", "a mapping": what a value looked like, for "expected …, got …".
std::string describeRaw(const RawValue& value);
std::string joinNames(const std::vector<std::string>& names);

template <typename Target>
class TreeWalker {
 public:
  // `display_prefix` is prepended to every path in messages ("" at the top level,
  // "watcher.sources[web]" inside an instance). With `record_origins`, every key set is recorded
  // in `diagnostics` (consistency checks point at the line that set a key last).
  TreeWalker(const KeyTable<Target>& table, Target& target, Diagnostics& diagnostics,
             std::string display_prefix, bool record_origins)
      : table_(table),
        target_(target),
        diagnostics_(diagnostics),
        display_prefix_(std::move(display_prefix)),
        record_origins_(record_origins) {}

  // Walks the entries of `mapping` at level `prefix` of the table; `skip` names keys the caller
  // has already handled (an instance's `type` and `name`).
  void walkMapping(const RawValue& mapping, const std::string& prefix,
                   const std::vector<std::string>& skip = {}) {
    std::map<std::string, std::string> first_location;
    for (const RawValue::Entry& entry : mapping.entries) {
      const std::string& location = entry.key_location;
      std::string path = join(prefix, entry.key);
      auto [seen, inserted] = first_location.emplace(entry.key, location);
      if (!inserted) {
        diagnostics_.error(location, display(path) + ": duplicate key (first set at line " +
                                         lineOf(seen->second) + ")");
        continue;
      }
      if (prefix.empty() && std::find(skip.begin(), skip.end(), entry.key) != skip.end()) continue;
      if (const auto* field = table_.find(path)) {
        applyLeaf(*field, entry.value, location);
      } else if (table_.isGroup(path)) {
        if (entry.value.shape == RawValue::Shape::kMapping) {
          walkMapping(entry.value, path);
        } else {
          diagnostics_.error(location, display(path) + ": expected a mapping with keys " +
                                           joinNames(table_.childrenOf(path)) + ", got " +
                                           describeRaw(entry.value));
        }
      } else {
        unknownKey(prefix, entry.key, location);
      }
    }
  }

 private:
  static std::string join(const std::string& prefix, const std::string& name) {
    return prefix.empty() ? name : prefix + "." + name;
  }
  std::string display(const std::string& path) const {
    return display_prefix_.empty() ? path : display_prefix_ + "." + path;
  }
  static std::string lineOf(const std::string& location) {
    auto colon = location.rfind(':');
    return colon == std::string::npos ? location : location.substr(colon + 1);
  }

  void applyLeaf(const BasicField<Target>& field, const RawValue& value,
                 const std::string& location) {
    if (field.kind == ValueKind::kInstances) {
      field.assign_tree(value, display(field.path), target_, diagnostics_);
      if (record_origins_) diagnostics_.setOrigin(field.path, location);
      return;
    }
    RawValue raw = value;
    if (value.shape == RawValue::Shape::kList && field.kind != ValueKind::kStringMap) {
      raw.items.clear();
      for (size_t i = 0; i < value.elements.size(); ++i) {
        const RawValue& element = value.elements[i];
        if (element.shape != RawValue::Shape::kScalar) {
          diagnostics_.error(element.location.empty() ? location : element.location,
                             display(field.path) + ": item " + std::to_string(i + 1) +
                                 ": expected a string, got " + describeRaw(element));
          return;
        }
        raw.items.push_back(element.text);
      }
    }
    Status status = field.assign(raw, target_);
    if (!status) {
      diagnostics_.error(location, display(field.path) + ": " + status.message());
      return;
    }
    if (record_origins_) diagnostics_.setOrigin(field.path, location);
  }

  void unknownKey(const std::string& prefix, const std::string& name, const std::string& location) {
    std::string path = display(join(prefix, name));
    const auto& siblings = table_.childrenOf(prefix);
    if (auto close = nearest(name, siblings)) {
      diagnostics_.error(location, path + ": unknown key; did you mean '" + *close + "'?");
      return;
    }
    // The right name at the wrong level, e.g. `interval` directly under `watcher`.
    for (const auto& field : table_.fields()) {
      auto dot = field.path.rfind('.');
      std::string last = dot == std::string::npos ? field.path : field.path.substr(dot + 1);
      if (last == name) {
        diagnostics_.error(location,
                           path + ": unknown key; did you mean '" + display(field.path) + "'?");
        return;
      }
    }
    std::string level = prefix.empty() ? display_prefix_ : display(prefix);
    diagnostics_.error(location, path + ": unknown key (valid keys " +
                                     (level.empty() ? "at the top level" : "under " + level) +
                                     ": " + joinNames(siblings) + ")");
  }

  const KeyTable<Target>& table_;
  Target& target_;
  Diagnostics& diagnostics_;
  std::string display_prefix_;
  bool record_origins_;
};

}  // namespace orion::config
