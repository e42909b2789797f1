#include "policy/template.h"

namespace orion::policy {
namespace {

bool isNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
}

// Walks `text` once, calling `literal` for plain runs and `placeholder` for each {name}; the one
// parser both placeholdersOf and renderTemplate use.
template <typename Literal, typename Placeholder>
Status walk(std::string_view text, Literal literal, Placeholder placeholder) {
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == '{' && i + 1 < text.size() && text[i + 1] == '{') {
      literal("{");
      i += 2;
      continue;
    }
    if (c == '}' && i + 1 < text.size() && text[i + 1] == '}') {
      literal("}");
      i += 2;
      continue;
    }
    if (c == '}') {
      return invalidArgument("unmatched '}' at position " + std::to_string(i + 1) +
                             " (write '}}' for a literal brace)");
    }
    if (c != '{') {
      size_t end = text.find_first_of("{}", i);
      if (end == std::string_view::npos) end = text.size();
      literal(text.substr(i, end - i));
      i = end;
      continue;
    }
    size_t close = text.find('}', i + 1);
    if (close == std::string_view::npos) {
      return invalidArgument("unterminated '{' at position " + std::to_string(i + 1) +
                             " (expected {name}, or '{{' for a literal brace)");
    }
    std::string_view name = text.substr(i + 1, close - i - 1);
    if (name.empty()) return invalidArgument("empty placeholder '{}' (expected {name})");
    for (char n : name) {
      if (!isNameChar(n)) {
        return invalidArgument("placeholder '{" + std::string(name) +
                               "}': expected a name of a-z, 0-9, '_' and '.'");
      }
    }
    ORION_RETURN_IF_ERROR(placeholder(name));
    i = close + 1;
  }
  return Status::ok();
}

}  // namespace

Result<std::vector<std::string>> placeholdersOf(std::string_view text) {
  std::vector<std::string> names;
  Status status = walk(
      text, [](std::string_view) {},
      [&](std::string_view name) {
        names.emplace_back(name);
        return Status::ok();
      });
  if (!status.isOk()) return status;
  return names;
}

Result<std::string> renderTemplate(std::string_view text, const Lookup& lookup) {
  std::string out;
  out.reserve(text.size());
  Status status = walk(
      text, [&](std::string_view piece) { out.append(piece); },
      [&](std::string_view name) -> Status {
        std::optional<std::string> value = lookup(name);
        if (!value) {
          return {StatusCode::kNotFound, "the incident has no '" + std::string(name) + "'"};
        }
        out.append(*value);
        return Status::ok();
      });
  if (!status.isOk()) return status;
  return out;
}

Result<Json> renderParameters(const Json& parameters, const Lookup& lookup) {
  if (parameters.is_string()) {
    auto rendered = renderTemplate(parameters.get<std::string>(), lookup);
    if (!rendered) return rendered.status();
    return Json(std::move(rendered).value());
  }
  if (parameters.is_array()) {
    Json out = Json::array();
    for (size_t i = 0; i < parameters.size(); ++i) {
      auto item = renderParameters(parameters[i], lookup);
      if (!item) return item.status().withContext("item " + std::to_string(i + 1));
      out.push_back(std::move(item).value());
    }
    return out;
  }
  if (parameters.is_object()) {
    Json out = Json::object();
    for (const auto& [key, value] : parameters.items()) {
      auto item = renderParameters(value, lookup);
      if (!item) return item.status().withContext("parameter '" + key + "'");
      out[key] = std::move(item).value();
    }
    return out;
  }
  return parameters;
}

// ---- ParameterTemplate -----------------------------------------------------------------------

Result<ParameterTemplate::Node> ParameterTemplate::compileNode(const Json& value) {
  Node node;
  if (value.is_string()) {
    node.kind = Node::Kind::kText;
    Status status = walk(
        value.get<std::string>(),
        [&](std::string_view literal) {
          // Adjacent literal runs ("a{{b" is "a", "{", "b") are kept as one piece.
          if (!node.pieces.empty() && !node.pieces.back().placeholder) {
            node.pieces.back().text.append(literal);
          } else {
            node.pieces.push_back(Piece{false, std::string(literal)});
          }
        },
        [&](std::string_view name) {
          node.pieces.push_back(Piece{true, std::string(name)});
          return Status::ok();
        });
    if (!status.isOk()) return status;
    return node;
  }
  if (value.is_array() || value.is_object()) {
    node.kind = value.is_array() ? Node::Kind::kArray : Node::Kind::kObject;
    for (const auto& [key, item] : value.items()) {
      auto child = compileNode(item);
      if (!child) return child.status();
      if (node.kind == Node::Kind::kObject) node.keys.push_back(key);
      node.children.push_back(std::move(child).value());
    }
    return node;
  }
  node.constant = value;
  return node;
}

Result<ParameterTemplate> ParameterTemplate::compile(const Json& parameters) {
  auto root = compileNode(parameters);
  if (!root) return root.status();
  ParameterTemplate compiled;
  compiled.root_ = std::move(root).value();
  return compiled;
}

bool ParameterTemplate::renderNode(const Node& node, const ValueLookup& lookup, Json& out) {
  switch (node.kind) {
    case Node::Kind::kConstant:
      out = node.constant;
      return true;
    case Node::Kind::kText: {
      std::string text;
      if (node.pieces.size() == 1 && !node.pieces[0].placeholder) {
        text = node.pieces[0].text;
      } else {
        for (const Piece& piece : node.pieces) {
          if (!piece.placeholder) {
            text.append(piece.text);
            continue;
          }
          std::optional<std::string_view> value = lookup(piece.text);
          if (!value) return false;
          text.append(*value);
        }
      }
      out = std::move(text);
      return true;
    }
    case Node::Kind::kArray: {
      Json::array_t items(node.children.size());
      for (size_t i = 0; i < node.children.size(); ++i) {
        if (!renderNode(node.children[i], lookup, items[i])) return false;
      }
      out = std::move(items);
      return true;
    }
    case Node::Kind::kObject: {
      Json::object_t members;
      for (size_t i = 0; i < node.children.size(); ++i) {
        // The keys are in the map's own order, so each one goes at the end.
        auto member = members.emplace_hint(members.end(), node.keys[i], Json());
        if (!renderNode(node.children[i], lookup, member->second)) return false;
      }
      out = std::move(members);
      return true;
    }
  }
  return false;
}

std::optional<Json> ParameterTemplate::render(const ValueLookup& lookup) const {
  if (!root_) return std::nullopt;
  Json out;
  if (!renderNode(*root_, lookup, out)) return std::nullopt;
  return out;
}

}  // namespace orion::policy
