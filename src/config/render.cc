// renderYaml: the effective configuration, every key, in the order of the Config struct. The
// output is what loadConfig reads: `orion config show > orion.yaml` gives the same Config back.
#include <yaml-cpp/yaml.h>

#include "config/config.h"
#include "config/schema.h"

namespace orion::config {

namespace {

void emitValue(YAML::Emitter& out, const Field& field, const RawValue& value) {
  switch (value.shape) {
    case RawValue::Shape::kNull:
    case RawValue::Shape::kMapping:  // read() never yields a mapping
      out << YAML::Null;
      break;
    case RawValue::Shape::kList:
      out << YAML::Flow << YAML::BeginSeq;
      for (const auto& item : value.items) out << YAML::DoubleQuoted << item;
      out << YAML::EndSeq;
      break;
    case RawValue::Shape::kScalar:
      // Strings are always quoted so that "", "null" or "true" read back as the same string.
      if (field.kind == ValueKind::kString) out << YAML::DoubleQuoted;
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
      emitValue(out, *field, field->read(config));
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
