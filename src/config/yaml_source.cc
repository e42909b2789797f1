#include "config/yaml_source.h"

#include <yaml-cpp/yaml.h>

#include <map>

#include "config/suggest.h"
#include "config/text_file.h"
#include "config/yaml_document.h"

namespace orion::config {

namespace {

std::string describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
      return "null";
    case YAML::NodeType::Scalar:
      return "'" + node.Scalar() + "'";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    default:
      return "nothing";
  }
}

std::string joinPath(const std::string& prefix, const std::string& name) {
  return prefix.empty() ? name : prefix + "." + name;
}

std::string joinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

class YamlWalker {
 public:
  YamlWalker(const Schema& schema, const std::string& file, Config& config,
             Diagnostics& diagnostics)
      : schema_(schema), file_(file), config_(config), diagnostics_(diagnostics) {}

  void walkMapping(const YAML::Node& mapping, const std::string& prefix) {
    std::map<std::string, int> first_line;
    for (const auto& entry : mapping) {
      const YAML::Node& key = entry.first;
      const YAML::Node& value = entry.second;
      std::string location = at(key);
      if (!key.IsScalar()) {
        diagnostics_.error(location, (prefix.empty() ? "" : prefix + ": ") +
                                         "expected a key name, got " + describe(key));
        continue;
      }
      std::string path = joinPath(prefix, key.Scalar());
      auto [seen, inserted] = first_line.emplace(key.Scalar(), line(key));
      if (!inserted) {
        diagnostics_.error(location, path + ": duplicate key (first set at line " +
                                         std::to_string(seen->second) + ")");
        continue;
      }
      if (const Field* field = schema_.find(path)) {
        applyLeaf(*field, value, location);
      } else if (schema_.isGroup(path)) {
        if (value.IsMap()) {
          walkMapping(value, path);
        } else {
          diagnostics_.error(location, path + ": expected a mapping with keys " +
                                           joinNames(schema_.childrenOf(path)) + ", got " +
                                           describe(value));
        }
      } else {
        unknownKey(prefix, key.Scalar(), location);
      }
    }
  }

 private:
  // Lines of a null value point past the key (yaml-cpp marks where parsing resumed), so errors
  // about a key's value use the key's own line.
  static int line(const YAML::Node& node) { return node.Mark().line + 1; }
  std::string at(const YAML::Node& node) const { return file_ + ":" + std::to_string(line(node)); }

  void applyLeaf(const Field& field, const YAML::Node& value, const std::string& location) {
    RawValue raw;
    if (value.IsNull()) {
      raw = RawValue::null();
    } else if (value.IsScalar()) {
      raw = RawValue::scalar(value.Scalar());
    } else if (value.IsMap()) {
      raw = RawValue::mapping();
    } else {
      raw = RawValue::list({});
      for (size_t i = 0; i < value.size(); ++i) {
        if (!value[i].IsScalar()) {
          diagnostics_.error(at(value[i]), field.path + ": item " + std::to_string(i + 1) +
                                               ": expected a string, got " + describe(value[i]));
          return;
        }
        raw.items.push_back(value[i].Scalar());
      }
    }
    Status status = field.assign(raw, config_);
    if (!status) {
      diagnostics_.error(location, field.path + ": " + status.message());
      return;
    }
    diagnostics_.setOrigin(field.path, location);
  }

  void unknownKey(const std::string& prefix, const std::string& name, const std::string& location) {
    std::string path = joinPath(prefix, name);
    const auto& siblings = schema_.childrenOf(prefix);
    if (auto close = nearest(name, siblings)) {
      diagnostics_.error(location, path + ": unknown key; did you mean '" + *close + "'?");
      return;
    }
    // The right name at the wrong level, e.g. `interval` directly under `watcher`.
    for (const auto& field : schema_.fields()) {
      auto dot = field.path.rfind('.');
      std::string last = dot == std::string::npos ? field.path : field.path.substr(dot + 1);
      if (last == name) {
        diagnostics_.error(location, path + ": unknown key; did you mean '" + field.path + "'?");
        return;
      }
    }
    diagnostics_.error(location, path + ": unknown key (valid keys " +
                                     (prefix.empty() ? "at the top level" : "under " + prefix) +
                                     ": " + joinNames(siblings) + ")");
  }

  const Schema& schema_;
  const std::string& file_;
  Config& config_;
  Diagnostics& diagnostics_;
};

}  // namespace

void applyYamlText(const Schema& schema, std::string_view text, const std::string& name,
                   Config& config, Diagnostics& diagnostics) {
  auto document = loadYamlDocument(text, name);
  if (!document) {
    diagnostics.error(document.status().message());
    return;
  }
  if (document->IsNull()) return;  // empty file: all defaults
  const YAML::Node& root = *document;
  if (!root.IsMap()) {
    diagnostics.error(
        name + ":" + std::to_string(root.Mark().line + 1),
        "expected a mapping of configuration keys at the top level, got " + describe(root));
    return;
  }
  try {
    YamlWalker(schema, name, config, diagnostics).walkMapping(root, "");
  } catch (const YAML::Exception& e) {
    // Not expected once the document parsed; kept so a library surprise is an error, not a crash.
    diagnostics.error(name + ":" + std::to_string(e.mark.line + 1), "invalid YAML: " + e.msg);
  }
}

void applyYamlFile(const Schema& schema, const std::filesystem::path& file, Config& config,
                   Diagnostics& diagnostics) {
  auto text = readTextFile(file, "config");
  if (!text) {
    diagnostics.error(text.status().message());
    return;
  }
  applyYamlText(schema, *text, file.string(), config, diagnostics);
}

}  // namespace orion::config
