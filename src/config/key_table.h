// The generic parts of a key table: a value as a source delivered it (RawValue, a small tree that
// remembers where each part was written), one key's parse/read pair (BasicField<Target>) and a
// table of keys with its mapping levels (KeyTable<Target>).
//
// Target is what the keys are stored into: `Config` for the top-level table (schema.h), or a
// plugin instance's settings struct for the entries of an instance list (instances.h), so both
// are checked by the same walker (tree_walk.h) with the same messages. Internal to the config
// module.
#pragma once

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace orion::config {

class Diagnostics;

// A value as one source delivered it. YAML gives scalars, sequences, mappings and nulls (with the
// file:line of each); the environment gives text (split on commas for list keys).
struct RawValue {
  enum class Shape { kScalar, kList, kNull, kMapping };
  struct Entry;  // one key of a mapping

  Shape shape = Shape::kScalar;
  std::string text;                // kScalar
  std::vector<std::string> items;  // kList: the elements' text when they are all scalars
  std::vector<RawValue> elements;  // kList from YAML: every element, with its location
  std::vector<Entry> entries;      // kMapping, in the order written (duplicates kept)
  std::string location;            // "file:line" where it was written; "" when unknown
  bool quoted = false;             // render hint: a string that must be written quoted

  static RawValue scalar(std::string text);
  static RawValue string(std::string text);  // a scalar rendered quoted
  static RawValue list(std::vector<std::string> items);
  static RawValue null();
  static RawValue mapping();

  // The value of key `name` in a mapping, or nullptr (the first one when written twice).
  const RawValue* find(std::string_view name) const;
};

struct RawValue::Entry {
  std::string key;
  std::string key_location;  // where the key was written; errors about the value point here
  RawValue value;
};

enum class ValueKind {
  kString,
  kBool,
  kInteger,
  kDuration,
  kChoice,
  kThreshold,
  kList,
  kStringMap,
  kInstances,
};

template <typename Target>
struct BasicField {
  std::string path;  // "watcher.host.interval", or "url" inside an instance type
  ValueKind kind;
  // Parses `value` and stores it into `target`. On failure `target` is unchanged and the error
  // reads "expected <what>, got '<text>'" (no location, no key: the caller adds them).
  std::function<Status(const RawValue& value, Target& target)> assign;
  // The field's current value in `target`, in the form assign() accepts.
  std::function<RawValue(const Target& target)> read;
  // Only for kInstances: checks every entry of the list and stores the valid ones, reporting each
  // problem at its own line. `display` is the dotted path for messages.
  std::function<void(const RawValue& value, const std::string& display, Target& target,
                     Diagnostics& diagnostics)>
      assign_tree;
  // Only for kInstances: applies ORION_<PATH>_<INSTANCE>_<KEY> (`rest` is "<INSTANCE>_<KEY>",
  // upper case) to an instance the file defined. kNotFound when no instance/key matches.
  std::function<Status(std::string_view rest, const std::string& text, Target& target)> assign_env;
};

// An ordered table of keys; dotted paths make mapping levels ("groups").
template <typename Target>
class KeyTable {
 public:
  using Field = BasicField<Target>;

  explicit KeyTable(std::vector<Field> fields) : fields_(std::move(fields)) {
    for (size_t i = 0; i < fields_.size(); ++i) {
      const std::string& path = fields_[i].path;
      by_path_.emplace(path, i);
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
  }

  // Every key, in declaration order (the order rendering writes).
  const std::vector<Field>& fields() const { return fields_; }

  // The leaf at `path`, or nullptr.
  const Field* find(std::string_view path) const {
    auto it = by_path_.find(path);
    return it == by_path_.end() ? nullptr : &fields_[it->second];
  }
  // True for a mapping level such as "watcher" or "watcher.host.disk_percent".
  bool isGroup(std::string_view path) const { return groups_.count(std::string(path)) > 0; }
  // Names of the keys directly under `group` ("" is the top level), in order.
  const std::vector<std::string>& childrenOf(std::string_view group) const {
    static const std::vector<std::string> kNone;
    auto it = children_.find(group);
    return it == children_.end() ? kNone : it->second;
  }

 private:
  std::vector<Field> fields_;
  std::map<std::string, size_t, std::less<>> by_path_;
  std::set<std::string> groups_;
  std::map<std::string, std::vector<std::string>, std::less<>> children_;
};

}  // namespace orion::config
