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

RawValue RawValue::string(std::string text) {
  RawValue value = scalar(std::move(text));
  value.quoted = true;
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

const RawValue* RawValue::find(std::string_view name) const {
  for (const Entry& entry : entries) {
    if (entry.key == name) return &entry.value;
  }
  return nullptr;
}

Schema::Schema() : KeyTable<Config>(buildFields()) {
  for (size_t i = 0; i < fields().size(); ++i) {
    if (fields()[i].kind != ValueKind::kInstances)
      by_env_name_.emplace(envName(fields()[i].path), i);
  }
  aliases_.emplace("ORION_AUTONOMY_LEVEL", "brain.autonomy_level");
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
  return it == by_env_name_.end() ? nullptr : &fields()[it->second];
}

bool Schema::isAlias(std::string_view name) const {
  constexpr std::string_view kPrefix = "ORION_";
  if (name.substr(0, kPrefix.size()) != kPrefix) return false;
  return aliases_.count(std::string(kPrefix) + toUpper(name.substr(kPrefix.size()))) > 0;
}

std::vector<std::string> Schema::envNames() const {
  std::vector<std::string> names;
  for (const auto& field : fields()) {
    if (field.kind != ValueKind::kInstances) names.push_back(envName(field.path));
  }
  for (const auto& [alias, path] : aliases_) names.push_back(alias);
  for (auto reserved : kReservedEnvNames) names.emplace_back(reserved);
  return names;
}

std::vector<const Field*> Schema::instanceLists() const {
  std::vector<const Field*> lists;
  for (const auto& field : fields()) {
    if (field.kind == ValueKind::kInstances) lists.push_back(&field);
  }
  return lists;
}

}  // namespace orion::config
