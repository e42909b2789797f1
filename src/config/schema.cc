#include "config/schema.h"

#include <algorithm>

#include "config/fields/fields.h"
#include "config/values.h"

namespace orion::config {

namespace {

std::vector<Field> buildFields() {
  std::vector<Field> fields;
  addProcessFields(fields);
  addBusFields(fields);
  addWatcherFields(fields);
  addGuardianFields(fields);
  addBrainFields(fields);
  addApprovalFields(fields);
  addCommanderFields(fields);
  addMemoryFields(fields);
  addApiFields(fields);
  return fields;
}

}  // namespace

RawValue RawValue::mapping() {
  RawValue value;
  value.shape = Shape::kMapping;
  return value;
}

RawValue RawValue::scalar(std::string text) {
  RawValue value;
  value.text = std::move(text);
  return value;
}

RawValue RawValue::list(std::vector<std::string> items) {
  RawValue value;
  value.shape = Shape::kList;
  value.items = std::move(items);
  return value;
}

RawValue RawValue::null() {
  RawValue value;
  value.shape = Shape::kNull;
  return value;
}

Schema::Schema() : fields_(buildFields()) {
  for (size_t i = 0; i < fields_.size(); ++i) {
    const std::string& path = fields_[i].path;
    by_path_.emplace(path, i);
    by_env_name_.emplace(envName(path), i);
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
  aliases_.emplace("ORION_AUTONOMY_LEVEL", "brain.autonomy_level");
}

const Field* Schema::find(std::string_view path) const {
  auto it = by_path_.find(path);
  return it == by_path_.end() ? nullptr : &fields_[it->second];
}

const std::vector<std::string>& Schema::childrenOf(std::string_view group) const {
  static const std::vector<std::string> kNone;
  auto it = children_.find(group);
  return it == children_.end() ? kNone : it->second;
}

std::string Schema::envName(std::string_view path) {
  std::string name = "ORION_" + toUpper(path);
  for (char& c : name) {
    if (c == '.') c = '_';
  }
  return name;
}

const Field* Schema::findByEnvName(std::string_view name) const {
  constexpr std::string_view kPrefix = "ORION_";
  if (name.substr(0, kPrefix.size()) != kPrefix) return nullptr;
  std::string upper = std::string(kPrefix) + toUpper(name.substr(kPrefix.size()));
  if (auto alias = aliases_.find(upper); alias != aliases_.end()) return find(alias->second);
  auto it = by_env_name_.find(upper);
  return it == by_env_name_.end() ? nullptr : &fields_[it->second];
}

bool Schema::isAlias(std::string_view name) const {
  constexpr std::string_view kPrefix = "ORION_";
  if (name.substr(0, kPrefix.size()) != kPrefix) return false;
  return aliases_.count(std::string(kPrefix) + toUpper(name.substr(kPrefix.size()))) > 0;
}

std::vector<std::string> Schema::envNames() const {
  std::vector<std::string> names;
  for (const auto& field : fields_) names.push_back(envName(field.path));
  for (const auto& [alias, path] : aliases_) names.push_back(alias);
  for (auto reserved : kReservedEnvNames) names.emplace_back(reserved);
  return names;
}

}  // namespace orion::config
