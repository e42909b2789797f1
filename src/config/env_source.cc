#include "config/env_source.h"

#include <algorithm>

#include "config/suggest.h"
#include "config/text_file.h"
#include "config/values.h"

namespace orion::config {

namespace {

constexpr std::string_view kPrefix = "ORION_";

bool isNameStart(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool isNameChar(char c) { return isNameStart(c) || (c >= '0' && c <= '9'); }

bool validName(std::string_view name) {
  if (name.empty() || !isNameStart(name.front())) return false;
  return std::all_of(name.begin(), name.end(), isNameChar);
}

// What may follow a closing quote: nothing, or a comment.
bool onlyCommentLeft(std::string_view rest) {
  rest = trim(rest);
  return rest.empty() || rest.front() == '#';
}

// Parses the value part of one line (after '='). Returns false with `problem` set when malformed.
bool parseValue(std::string_view raw, std::string& value, std::string& problem) {
  raw = trim(raw);
  if (!raw.empty() && raw.front() == '\'') {
    auto close = raw.find('\'', 1);
    if (close == std::string_view::npos) {
      problem = "unterminated single quote";
      return false;
    }
    value = std::string(raw.substr(1, close - 1));
    if (onlyCommentLeft(raw.substr(close + 1))) return true;
    problem = "unexpected text after the closing quote";
    return false;
  }
  if (!raw.empty() && raw.front() == '"') {
    value.clear();
    for (size_t i = 1; i < raw.size(); ++i) {
      char c = raw[i];
      if (c == '"') {
        if (onlyCommentLeft(raw.substr(i + 1))) return true;
        problem = "unexpected text after the closing quote";
        return false;
      }
      if (c == '\\' && i + 1 < raw.size()) {
        char next = raw[++i];
        switch (next) {
          case 'n':
            value += '\n';
            break;
          case 't':
            value += '\t';
            break;
          case '"':
          case '\\':
          case '$':
            value += next;
            break;
          default:  // not an escape we know: keep it as written
            value += '\\';
            value += next;
        }
        continue;
      }
      value += c;
    }
    problem = "unterminated double quote";
    return false;
  }
  // Bare value: a '#' preceded by whitespace starts a comment, as in a shell.
  size_t end = raw.size();
  for (size_t i = 1; i < raw.size(); ++i) {
    if (raw[i] == '#' && (raw[i - 1] == ' ' || raw[i - 1] == '\t')) {
      end = i;
      break;
    }
  }
  value = std::string(trim(raw.substr(0, end)));
  return true;
}

bool isReserved(std::string_view upper_name) {
  return std::find(std::begin(kReservedEnvNames), std::end(kReservedEnvNames), upper_name) !=
         std::end(kReservedEnvNames);
}

// ORION_<LIST>_<INSTANCE>_<KEY> for an instance list (instance_list.h). True when `entry` named
// an instance key (applied, or reported if its value is wrong).
bool applyInstanceOverride(const Schema& schema, const EnvEntry& entry, Config& config,
                           Diagnostics& diagnostics) {
  std::string upper = toUpper(entry.name);
  for (const Field* list : schema.instanceLists()) {
    std::string prefix = Schema::envName(list->path) + "_";
    if (upper.substr(0, prefix.size()) != prefix) continue;
    Status status =
        list->assign_env(std::string_view(upper).substr(prefix.size()), entry.value, config);
    if (status.code() == StatusCode::kNotFound) continue;
    if (status) {
      diagnostics.setOrigin(list->path, entry.location + ": " + entry.name);
    } else {
      diagnostics.error(entry.location + ": " + entry.name, status.message());
    }
    return true;
  }
  return false;
}

}  // namespace

std::vector<EnvEntry> parseEnvText(std::string_view text, const std::string& name,
                                   Diagnostics& diagnostics) {
  std::vector<EnvEntry> entries;
  size_t line_number = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t newline = text.find('\n', start);
    std::string_view line =
        text.substr(start, newline == std::string_view::npos ? text.npos : newline - start);
    start = newline == std::string_view::npos ? text.size() : newline + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);  // CRLF files
    std::string location = name + ":" + std::to_string(line_number);
    std::string_view content = trim(line);
    if (content.empty() || content.front() == '#') continue;
    if (content.substr(0, 7) == "export " || content.substr(0, 7) == "export\t") {
      content = trim(content.substr(7));
    }
    auto equals = content.find('=');
    if (equals == std::string_view::npos) {
      diagnostics.error(location, "expected KEY=VALUE, got '" + std::string(content) + "'");
      continue;
    }
    std::string_view key = trim(content.substr(0, equals));
    if (!validName(key)) {
      diagnostics.error(location,
                        "expected a variable name (letters, digits, '_') before '=', got '" +
                            std::string(key) + "'");
      continue;
    }
    EnvEntry entry{std::string(key), "", location};
    std::string problem;
    if (!parseValue(content.substr(equals + 1), entry.value, problem)) {
      diagnostics.error(location, std::string(key) + ": " + problem);
      continue;
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

std::vector<EnvEntry> readEnvFile(const std::filesystem::path& file, Diagnostics& diagnostics) {
  auto text = readTextFile(file, "env");
  if (!text) {
    diagnostics.error(text.status().message());
    return {};
  }
  return parseEnvText(*text, file.string(), diagnostics);
}

std::vector<EnvEntry> environmentEntries(const std::map<std::string, std::string>& environment) {
  std::vector<EnvEntry> entries;
  for (const auto& [name, value] : environment) {
    if (name.substr(0, kPrefix.size()) == kPrefix) entries.push_back({name, value, "environment"});
  }
  return entries;
}

void applyEnvironment(const Schema& schema, const std::vector<EnvEntry>& entries, Config& config,
                      Diagnostics& diagnostics) {
  // Aliases first, so the canonical name wins when a source sets both.
  std::vector<const EnvEntry*> ordered;
  for (const auto& entry : entries) {
    if (schema.isAlias(entry.name)) ordered.push_back(&entry);
  }
  for (const auto& entry : entries) {
    if (!schema.isAlias(entry.name)) ordered.push_back(&entry);
  }
  for (const EnvEntry* entry : ordered) {
    if (entry->name.substr(0, kPrefix.size()) != kPrefix) continue;
    if (isReserved(toUpper(entry->name))) continue;
    const Field* field = schema.findByEnvName(entry->name);
    if (field == nullptr && applyInstanceOverride(schema, *entry, config, diagnostics)) continue;
    if (field == nullptr) {
      auto close = nearest(toUpper(entry->name), schema.envNames());
      diagnostics.error(entry->location,
                        "unknown variable " + entry->name +
                            (close ? "; did you mean " + *close + "?"
                                   : " (docs/configuration.md lists the ORION_* variables)"));
      continue;
    }
    bool is_list = field->kind == ValueKind::kList || field->kind == ValueKind::kStringMap;
    RawValue value =
        is_list ? RawValue::list(splitListText(entry->value)) : RawValue::scalar(entry->value);
    std::string where = entry->location + ": " + entry->name;
    Status status = field->assign(value, config);
    if (!status) {
      diagnostics.error(where, field->path + ": " + status.message());
      continue;
    }
    diagnostics.setOrigin(field->path, where);
  }
}

}  // namespace orion::config
