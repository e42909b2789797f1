// renderYaml: the effective configuration, every key, in the order of the Config struct. The
// output is what loadConfig reads: `orion config show > orion.yaml` gives the same Config back.
#include <yaml-cpp/yaml.h>

#include "config/config.h"
#include "config/schema.h"

namespace orion::config {

namespace {

void emitValue(YAML::Emitter& out, const RawValue& value, bool quote) {
  switch (value.shape) {
    case RawValue::Shape::kNull:
      out << YAML::Null;
      break;
    case RawValue::Shape::kList:
      if (!value.elements.empty()) {  // an instance list: one mapping per entry
        out << YAML::BeginSeq;
        for (const auto& element : value.elements) emitValue(out, element, false);
        out << YAML::EndSeq;
        break;
      }
      out << YAML::Flow << YAML::BeginSeq;
      for (const auto& item : value.items) out << YAML::DoubleQuoted << item;
      out << YAML::EndSeq;
      break;
    case RawValue::Shape::kMapping:
      out << (value.entries.empty() ? YAML::Flow : YAML::Block) << YAML::BeginMap;
      for (const auto& entry : value.entries) {
        out << YAML::Key << entry.key << YAML::Value;
        emitValue(out, entry.value, false);
      }
      out << YAML::EndMap;
      break;
    case RawValue::Shape::kScalar:
      // Strings are always quoted so that "", "null" or "true" read back as the same string.
      if (quote || value.quoted) out << YAML::DoubleQuoted;
      out << value.text;
      break;
  }
}

void emitGroup(YAML::Emitter& out, const Schema& schema, const std::string& group,
               const Config& config) {
  out << YAML::BeginMap;
  for (const auto& name : schema.childrenOf(group)) {
    std::string path = group.empty() ? name : group + "." + name;
    out << YAML::Key << name << YAML::Value;
    if (const Field* field = schema.find(path)) {
      emitValue(out, field->read(config), field->kind == ValueKind::kString);
    } else {
      emitGroup(out, schema, path, config);
    }
  }
  out << YAML::EndMap;
}

}  // namespace

std::string renderYaml(const Config& config) {
  Schema schema;
  YAML::Emitter out;
  emitGroup(out, schema, "", config);
  return std::string(out.c_str()) + "\n";
}

}  // namespace orion::config
