#include "config/yaml_source.h"

#include <yaml-cpp/yaml.h>

#include "config/text_file.h"
#include "config/tree_walk.h"
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

// Converts a YAML node into the source-independent tree the key tables walk, keeping the line of
// every key and element. A non-scalar key is reported here and left out.
class TreeBuilder {
 public:
  TreeBuilder(const std::string& file, Diagnostics& diagnostics)
      : file_(file), diagnostics_(diagnostics) {}

  RawValue build(const YAML::Node& node, const std::string& context) {
    RawValue value;
    value.location = at(node);
    if (node.IsNull()) {
      value.shape = RawValue::Shape::kNull;
    } else if (node.IsScalar()) {
      value.text = node.Scalar();
    } else if (node.IsSequence()) {
      value.shape = RawValue::Shape::kList;
      for (size_t i = 0; i < node.size(); ++i) value.elements.push_back(build(node[i], context));
    } else {
      value.shape = RawValue::Shape::kMapping;
      for (const auto& pair : node) {
        const YAML::Node& key = pair.first;
        if (!key.IsScalar()) {
          diagnostics_.error(at(key), (context.empty() ? "" : context + ": ") +
                                          "expected a key name, got " + describe(key));
          continue;
        }
        std::string child = context.empty() ? key.Scalar() : context + "." + key.Scalar();
        value.entries.push_back({key.Scalar(), at(key), build(pair.second, child)});
      }
    }
    return value;
  }

 private:
  // Lines of a null value point past the key (yaml-cpp marks where parsing resumed), so errors
  // about a key's value use the key's own line (RawValue::Entry::key_location).
  std::string at(const YAML::Node& node) const {
    return file_ + ":" + std::to_string(node.Mark().line + 1);
  }

  const std::string& file_;
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
    RawValue tree = TreeBuilder(name, diagnostics).build(root, "");
    TreeWalker<Config>(schema, config, diagnostics, "", true).walkMapping(tree, "");
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
