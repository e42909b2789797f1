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

}  // namespace orion::policy
