#include "policy/yaml_fields.h"

#include <fmt/format.h>

#include <charconv>

#include "common/time.h"
#include "config/suggest.h"

namespace orion::policy {
namespace {

std::string joinKeys(const std::vector<std::string>& keys) {
  std::string out;
  for (const auto& key : keys) out += (out.empty() ? "" : ", ") + key;
  return out;
}

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

std::string describeNode(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return "nothing";
  if (node.IsScalar()) return "'" + node.Scalar() + "'";
  if (node.IsSequence()) return "a list";
  return "a mapping";
}

std::string locationOf(const std::string& file, const YAML::Node& node) {
  return file + ":" + std::to_string(node.Mark().line + 1);
}

bool isIdentifier(std::string_view text, bool allow_dash) {
  if (text.empty() || text.size() > 128 || text[0] < 'a' || text[0] > 'z') return false;
  for (char c : text) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || (allow_dash && c == '-');
    if (!ok) return false;
  }
  return true;
}

MapReader::MapReader(const YAML::Node& node, std::string file, std::string path,
                     config::Diagnostics& diagnostics, std::vector<std::string> allowed)
    : node_(node), file_(std::move(file)), path_(std::move(path)), diagnostics_(diagnostics) {
  is_map_ = node_.IsMap();
  if (!is_map_) {
    diagnostics_.error(
        locationOf(file_, node_),
        (path_.empty() ? "document" : path_) + ": expected a mapping, got " + describeNode(node_));
    return;
  }
  for (const auto& entry : node_) {
    std::string key = entry.first.Scalar();
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    std::string message = pathOf(key) + ": unknown key";
    if (auto near = config::nearest(key, allowed)) message += " (did you mean '" + *near + "'?)";
    message += "; expected one of: " + joinKeys(allowed);
    diagnostics_.error(locationOf(file_, entry.first), message);
  }
}

bool MapReader::has(const std::string& key) const {
  return is_map_ && node_[key].IsDefined() && !node_[key].IsNull();
}

YAML::Node MapReader::child(const std::string& key) const {
  return is_map_ ? node_[key] : YAML::Node();
}

std::string MapReader::pathOf(const std::string& key) const {
  return path_.empty() ? key : path_ + "." + key;
}

std::string MapReader::at(const std::string& key) const {
  if (is_map_) {
    // The key's own line: yaml-cpp marks a null value where parsing resumed, past the key.
    for (const auto& entry : node_) {
      if (entry.first.Scalar() == key) return locationOf(file_, entry.first);
    }
  }
  return locationOf(file_, node_);
}

void MapReader::error(const std::string& key, const std::string& message) const {
  diagnostics_.error(at(key), pathOf(key) + ": " + message);
}

std::optional<std::string> MapReader::text(const std::string& key, bool required) const {
  if (!is_map_) return std::nullopt;
  YAML::Node value = node_[key];
  if (!value.IsDefined() || value.IsNull()) {
    if (required) error(key, "missing (expected a string)");
    return std::nullopt;
  }
  if (!value.IsScalar()) {
    error(key, "expected a string, got " + describeNode(value));
    return std::nullopt;
  }
  return value.Scalar();
}

std::optional<std::string> MapReader::name(const std::string& key, bool required,
                                           bool allow_dash) const {
  auto value = text(key, required);
  if (!value) return std::nullopt;
  if (!isIdentifier(*value, allow_dash)) {
    error(key, fmt::format("expected a name of lower-case letters, digits{} and '_' starting with "
                           "a letter, got '{}'",
                           allow_dash ? ", '-'" : "", *value));
    return std::nullopt;
  }
  return value;
}

std::optional<bool> MapReader::boolean(const std::string& key, bool required) const {
  auto value = text(key, required);
  if (!value) return std::nullopt;
  if (*value == "true") return true;
  if (*value == "false") return false;
  error(key, "expected true or false, got '" + *value + "'");
  return std::nullopt;
}

std::optional<int64_t> MapReader::integer(const std::string& key, int64_t min, int64_t max,
                                          bool required) const {
  auto value = text(key, required);
  if (!value) return std::nullopt;
  std::string_view digits = trimmed(*value);
  int64_t parsed = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), parsed);
  if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty() || parsed < min ||
      parsed > max) {
    error(key, fmt::format("expected an integer from {} to {}, got '{}'", min, max, *value));
    return std::nullopt;
  }
  return parsed;
}

std::optional<Duration> MapReader::duration(const std::string& key, Duration min, Duration max,
                                            bool required) const {
  auto value = text(key, required);
  if (!value) return std::nullopt;
  auto parsed = parseDuration(*value);
  if (!parsed || *parsed < min || *parsed > max) {
    error(key, fmt::format("expected a duration from {} to {} (e.g. 30s, 5m, 1h), got '{}'",
                           formatDuration(min), formatDuration(max), *value));
    return std::nullopt;
  }
  return *parsed;
}

std::optional<std::vector<std::string>> MapReader::textList(const std::string& key,
                                                            bool required) const {
  if (!is_map_) return std::nullopt;
  YAML::Node value = node_[key];
  if (!value.IsDefined() || value.IsNull()) {
    if (required) error(key, "missing (expected a list of strings)");
    return std::nullopt;
  }
  if (!value.IsSequence()) {
    error(key, "expected a list of strings, got " + describeNode(value));
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (size_t i = 0; i < value.size(); ++i) {
    if (!value[i].IsScalar()) {
      diagnostics_.error(
          locationOf(file_, value[i]),
          fmt::format("{}[{}]: expected a string, got {}", pathOf(key), i, describeNode(value[i])));
      return std::nullopt;
    }
    out.push_back(value[i].Scalar());
  }
  return out;
}

void MapReader::expectText(const std::string& key, const std::string& expected) const {
  auto value = text(key, true);
  if (value && *value != expected) {
    error(key, "expected \"" + expected + "\", got '" + *value + "'");
  }
}

std::vector<YAML::Node> listAt(const MapReader& reader, const std::string& key, bool required) {
  std::vector<YAML::Node> items;
  YAML::Node value = reader.child(key);
  if (!value.IsDefined() || value.IsNull()) {
    if (required) reader.error(key, "missing (expected a list)");
    return items;
  }
  if (!value.IsSequence()) {
    reader.error(key, "expected a list, got " + describeNode(value));
    return items;
  }
  for (const auto& item : value) items.push_back(item);
  return items;
}

Result<std::optional<RateLimit>> parseRateLimit(std::string_view text) {
  std::string_view value = trimmed(text);
  if (value == "unlimited") return std::optional<RateLimit>();
  auto fail = [&] {
    return invalidArgument("expected 'unlimited' or 'N per second|minute|hour|day', got '" +
                           std::string(text) + "'");
  };
  int64_t count = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), count);
  if (ec != std::errc() || count < 1 || count > 100000) return fail();
  std::string_view rest = trimmed(std::string_view(end, value.data() + value.size() - end));
  if (!rest.starts_with("per ")) return fail();
  std::string_view unit = trimmed(rest.substr(4));
  Duration per{};
  if (unit == "second") {
    per = std::chrono::seconds(1);
  } else if (unit == "minute") {
    per = std::chrono::minutes(1);
  } else if (unit == "hour") {
    per = std::chrono::hours(1);
  } else if (unit == "day") {
    per = std::chrono::hours(24);
  } else {
    return fail();
  }
  return std::optional<RateLimit>(RateLimit{count, per, std::string(value)});
}

}  // namespace orion::policy
