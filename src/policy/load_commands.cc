// diagnostics.yaml and exec_actions.yaml: the commands the commander may run (commands.h).
#include <fmt/format.h>

#include <set>

#include "policy/loader_parts.h"
#include "policy/template.h"
#include "policy/yaml_fields.h"

namespace orion::policy {
namespace {

using namespace std::chrono_literals;

const std::vector<std::string> kDiagnosticKeys = {"diagnostic_type", "description", "argv",
                                                  "timeout", "max_output"};
const std::vector<std::string> kExecKeys = {"action_type", "description", "argv",      "parameters",
                                            "risk",        "timeout",     "max_output"};
const std::vector<std::string> kParameterKeys = {"pattern", "description"};

// Action types with an executor of their own: an exec action cannot take their name.
const std::set<std::string, std::less<>> kBuiltinActionTypes = {
    "acknowledge_incident", "restart_container",  "restart_service",    "run_diagnostic",
    "send_notification",    "scale_service",      "recreate_container", "prune_images",
    "stop_edge_device",     "restart_edge_device"};

// argv: a non-empty list of strings whose first is an absolute path or a bare command name.
std::optional<std::vector<std::string>> readArgv(const MapReader& entry) {
  auto argv = entry.textList("argv", true);
  if (!argv) return std::nullopt;
  if (argv->empty()) {
    entry.error("argv", "expected at least the command (argv[0]), got an empty list");
    return std::nullopt;
  }
  const std::string& command = argv->front();
  if (command.empty() || (command.find('/') != std::string::npos && command.front() != '/')) {
    entry.error("argv", "argv[0] '" + command +
                            "': expected an absolute path (/usr/bin/ps) or a bare command name "
                            "looked up in PATH");
    return std::nullopt;
  }
  for (const std::string& element : *argv) {
    if (element.find('\0') != std::string::npos || element.find('\n') != std::string::npos) {
      entry.error("argv", "an argument holds a NUL or newline character");
      return std::nullopt;
    }
  }
  return argv;
}

void readLimits(const MapReader& entry, Duration& timeout, int64_t& max_output) {
  timeout = entry.duration("timeout", 1s, kMaxCommandTimeout, false).value_or(timeout);
  max_output = entry.integer("max_output", 1, kMaxOutputLimit, false).value_or(max_output);
}

// What a diagnostic and an exec action share: the name under `name_key`, description, where,
// argv and the limits. Returns the name (nullopt when it or the argv is unusable, reported).
template <typename Declared>
std::optional<std::string> readShared(const MapReader& entry, const std::string& name_key,
                                      Declared& declared) {
  auto name = entry.name(name_key, true);
  declared.description = entry.text("description", false).value_or("");
  declared.where = entry.at(name_key);
  auto argv = readArgv(entry);
  readLimits(entry, declared.timeout, declared.max_output);
  if (!name || !argv) return std::nullopt;
  declared.argv = std::move(*argv);
  return name;
}

// Adds `declared` under `name` unless the name is taken (reported at `name_key`).
template <typename Declared>
void addUnique(std::map<std::string, Declared, std::less<>>& declarations, const std::string& name,
               Declared declared, const MapReader& entry, const std::string& name_key) {
  if (auto first = declarations.find(name); first != declarations.end()) {
    entry.error(name_key, "'" + name + "' is already declared at " + first->second.where);
    return;
  }
  declarations.emplace(name, std::move(declared));
}

void parseDiagnostic(const YAML::Node& node, const std::string& file, const std::string& path,
                     PolicyDraft& draft, config::Diagnostics& diagnostics) {
  MapReader entry(node, file, path, diagnostics, kDiagnosticKeys);
  if (!entry.isMap()) return;
  Diagnostic diagnostic;
  auto type = readShared(entry, "diagnostic_type", diagnostic);
  if (!type) return;
  diagnostic.diagnostic_type = *type;
  addUnique(draft.diagnostics, *type, std::move(diagnostic), entry, "diagnostic_type");
}

// parameters: {name: {pattern: "^...$", description: ...}}; every pattern compiles.
std::map<std::string, ExecParameter, std::less<>> readParameters(const MapReader& entry,
                                                                 config::Diagnostics& diagnostics,
                                                                 bool& ok) {
  std::map<std::string, ExecParameter, std::less<>> parameters;
  YAML::Node node = entry.child("parameters");
  if (!node.IsDefined() || node.IsNull()) return parameters;
  if (!node.IsMap()) {
    entry.error("parameters", "expected a mapping of parameter names to {pattern: ...}, got " +
                                  describeNode(node));
    ok = false;
    return parameters;
  }
  for (const auto& item : node) {
    std::string name = item.first.Scalar();
    std::string path = entry.pathOf("parameters") + "." + name;
    if (!isIdentifier(name) || isReservedParameter(name)) {
      diagnostics.error(locationOf(entry.file(), item.first),
                        path +
                            ": expected a parameter name of lower-case letters, digits and '_' "
                            "other than node, dry_run and incident_id");
      ok = false;
      continue;
    }
    MapReader spec(item.second, entry.file(), path, diagnostics, kParameterKeys);
    if (!spec.isMap()) {
      ok = false;
      continue;
    }
    ExecParameter parameter;
    parameter.description = spec.text("description", false).value_or("");
    auto pattern = spec.text("pattern", true);
    if (!pattern) {
      ok = false;
      continue;
    }
    try {
      parameter.regex = std::make_shared<const std::regex>(*pattern, std::regex::ECMAScript);
    } catch (const std::regex_error& error) {
      spec.error("pattern",
                 "'" + *pattern + "' is not a valid regular expression (" + error.what() + ")");
      ok = false;
      continue;
    }
    parameter.pattern = *pattern;
    parameters.emplace(name, std::move(parameter));
  }
  return parameters;
}

void parseExecAction(const YAML::Node& node, const std::string& file, const std::string& path,
                     PolicyDraft& draft, config::Diagnostics& diagnostics) {
  MapReader entry(node, file, path, diagnostics, kExecKeys);
  if (!entry.isMap()) return;
  ExecAction action;
  auto type = readShared(entry, "action_type", action);
  bool ok = true;
  if (auto risk = entry.text("risk", false)) {
    auto parsed = parseDeclaredRisk(*risk);
    if (parsed) {
      action.risk = *parsed;
    } else {
      entry.error("risk", "expected read_only, reversible or destructive, got '" + *risk + "'");
      ok = false;
    }
  }
  action.parameters = readParameters(entry, diagnostics, ok);
  // Every placeholder names a declared parameter; the check is at load, not at run time.
  for (size_t i = 0; i < action.argv.size(); ++i) {
    auto names = placeholdersOf(action.argv[i]);
    if (!names) {
      entry.error("argv", fmt::format("argv[{}]: {}", i, names.status().message()));
      ok = false;
      continue;
    }
    if (i == 0 && !names->empty()) {
      entry.error("argv", "argv[0] must be a fixed command, not a template");
      ok = false;
    }
    for (const std::string& name : *names) {
      if (action.parameters.contains(name)) continue;
      entry.error("argv", fmt::format("argv[{}]: unknown placeholder '{{{}}}' (declare it under "
                                      "parameters with a pattern)",
                                      i, name));
      ok = false;
    }
  }
  if (!type || !ok) return;
  if (kBuiltinActionTypes.contains(*type)) {
    entry.error("action_type", "'" + *type +
                                   "' is a built-in action with an executor of its own; give "
                                   "the exec action another name");
    return;
  }
  action.action_type = *type;
  addUnique(draft.exec_actions, *type, std::move(action), entry, "action_type");
}

template <typename ParseOne>
void parseList(const YAML::Node& root, const std::string& file, const std::string& list,
               config::Diagnostics& diagnostics, ParseOne parse_one) {
  MapReader top(root, file, "", diagnostics, {"version", list});
  if (!top.isMap()) return;
  top.expectText("version", "1.0");
  std::vector<YAML::Node> entries = listAt(top, list, true);
  for (size_t i = 0; i < entries.size(); ++i) {
    parse_one(entries[i], fmt::format("{}[{}]", list, i));
  }
}

}  // namespace

void parseDiagnostics(const YAML::Node& root, const std::string& file, PolicyDraft& draft,
                      config::Diagnostics& diagnostics) {
  parseList(root, file, "diagnostics", diagnostics, [&](const YAML::Node& node, std::string path) {
    parseDiagnostic(node, file, path, draft, diagnostics);
  });
}

void parseExecActions(const YAML::Node& root, const std::string& file, PolicyDraft& draft,
                      config::Diagnostics& diagnostics) {
  parseList(root, file, "exec_actions", diagnostics, [&](const YAML::Node& node, std::string path) {
    parseExecAction(node, file, path, draft, diagnostics);
  });
}

}  // namespace orion::policy
