#include "policy/commands.h"

#include <fmt/format.h>

#include "policy/template.h"

namespace orion::policy {
namespace {

// The value of one parameter as the argument text it may become, or why it may not.
Result<std::string> checkedValue(const std::string& name, const ExecParameter& declared,
                                 const Json& value) {
  std::string text;
  if (value.is_string()) {
    text = value.get<std::string>();
  } else if (value.is_number_integer()) {
    text = dumpJson(value);
  } else {
    return invalidArgument("parameter '" + name + "': expected a string or an integer, got " +
                           dumpJson(value));
  }
  if (text.empty()) return invalidArgument("parameter '" + name + "': empty");
  if (text.size() > kMaxParameterLength) {
    return invalidArgument(
        fmt::format("parameter '{}': longer than {} characters", name, kMaxParameterLength));
  }
  if (text.front() == '-') {
    return invalidArgument("parameter '" + name + "': '" + text +
                           "' starts with '-' (it could pass as an option)");
  }
  if (text.find_first_of(std::string("\0\r\n", 3)) != std::string::npos) {
    return invalidArgument("parameter '" + name + "': holds a NUL, CR or LF character");
  }
  if (!std::regex_match(text, *declared.regex)) {
    return invalidArgument("parameter '" + name + "': '" + text + "' does not match " +
                           declared.pattern);
  }
  return text;
}

}  // namespace

bool isReservedParameter(std::string_view name) {
  return name == "node" || name == "dry_run" || name == "incident_id";
}

Result<std::vector<std::string>> ExecAction::render(const Json& given) const {
  if (!given.is_null() && !given.is_object()) {
    return invalidArgument("parameters: expected an object");
  }
  std::map<std::string, std::string, std::less<>> values;
  if (given.is_object()) {
    for (const auto& [name, value] : given.items()) {
      if (isReservedParameter(name)) continue;
      auto declared = parameters.find(name);
      if (declared == parameters.end()) {
        return invalidArgument("parameter '" + name + "' is not declared by " + action_type + " (" +
                               where + ")");
      }
      auto text = checkedValue(name, declared->second, value);
      if (!text) return text.status();
      values.emplace(name, std::move(text).value());
    }
  }
  Lookup lookup = [&values](std::string_view name) -> std::optional<std::string> {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
  std::vector<std::string> argv;
  for (const std::string& element : this->argv) {
    auto rendered = renderTemplate(element, lookup);
    if (!rendered) {
      return invalidArgument(action_type + ": " + rendered.status().message() +
                             " (missing parameter)");
    }
    argv.push_back(std::move(rendered).value());
  }
  return argv;
}

}  // namespace orion::policy
