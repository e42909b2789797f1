// Builders for the rows of the key table (schema.cc): one per value kind. Each takes the dotted
// path and an accessor, a generic lambda `[](auto& c) -> auto& { return c.bus.url; }` that
// serves both for storing (Config&) and for reading back (const Config&). Internal.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/time.h"
#include "config/schema.h"
#include "config/values.h"

namespace orion::config {

namespace builders {

// "expected a duration such as 15s, got a mapping" for a value of the wrong shape.
inline Status wrongShape(std::string_view what, const RawValue& value) {
  std::string got;
  switch (value.shape) {
    case RawValue::Shape::kNull:
      got = "null";
      break;
    case RawValue::Shape::kList:
      got = "a list";
      break;
    case RawValue::Shape::kMapping:
      got = "a mapping";
      break;
    case RawValue::Shape::kScalar:
      got = "'" + value.text + "'";
      break;
  }
  return invalidArgument("expected " + std::string(what) + ", got " + got);
}

// A string; `check` (may be empty) validates it and returns an "expected …" error.
template <typename Target = Config, typename Access>
BasicField<Target> text(std::string path, std::string what, Access access,
                        std::function<Status(std::string_view)> check) {
  BasicField<Target> field{std::move(path), ValueKind::kString, {}, {}, {}, {}};
  field.assign = [what, access, check](const RawValue& value, Target& config) -> Status {
    if (value.shape != RawValue::Shape::kScalar) return wrongShape(what, value);
    if (check) ORION_RETURN_IF_ERROR(check(value.text));
    access(config) = value.text;
    return Status::ok();
  };
  field.read = [access](const Target& config) { return RawValue::string(access(config)); };
  return field;
}

// A string that must not be empty or blank (a name or a path).
template <typename Target = Config, typename Access>
BasicField<Target> nonEmptyText(std::string path, std::string what, Access access) {
  auto check = [what](std::string_view text) -> Status {
    if (!trim(text).empty()) return Status::ok();
    return invalidArgument("expected " + what + ", got '" + std::string(text) + "'");
  };
  return builders::text<Target>(std::move(path), what, access, check);
}

template <typename Target = Config, typename Access>
BasicField<Target> boolean(std::string path, Access access) {
  BasicField<Target> field{std::move(path), ValueKind::kBool, {}, {}, {}, {}};
  field.assign = [access](const RawValue& value, Target& config) -> Status {
    if (value.shape != RawValue::Shape::kScalar) return wrongShape("true or false", value);
    auto parsed = parseBoolText(value.text);
    if (!parsed) return parsed.status();
    access(config) = *parsed;
    return Status::ok();
  };
  field.read = [access](const Target& config) {
    return RawValue::scalar(access(config) ? "true" : "false");
  };
  return field;
}

template <typename Target = Config, typename Access>
BasicField<Target> integer(std::string path, int64_t min, int64_t max, Access access) {
  BasicField<Target> field{std::move(path), ValueKind::kInteger, {}, {}, {}, {}};
  field.assign = [min, max, access](const RawValue& value, Target& config) -> Status {
    if (value.shape != RawValue::Shape::kScalar) return wrongShape("an integer", value);
    auto parsed = parseIntegerText(value.text, min, max);
    if (!parsed) return parsed.status();
    access(config) = *parsed;
    return Status::ok();
  };
  field.read = [access](const Target& config) {
    return RawValue::scalar(std::to_string(access(config)));
  };
  return field;
}

template <typename Target = Config, typename Access>
BasicField<Target> duration(std::string path, Duration min, Duration max, Access access) {
  BasicField<Target> field{std::move(path), ValueKind::kDuration, {}, {}, {}, {}};
  field.assign = [min, max, access](const RawValue& value, Target& config) -> Status {
    if (value.shape != RawValue::Shape::kScalar) return wrongShape("a duration such as 15s", value);
    auto parsed = parseDurationText(value.text, min, max);
    if (!parsed) return parsed.status();
    access(config) = *parsed;
    return Status::ok();
  };
  field.read = [access](const Target& config) {
    return RawValue::scalar(formatDuration(access(config)));
  };
  return field;
}

// One of a fixed set of names (matched case-insensitively, rendered as spelt in `choices`).
template <typename T, typename Target = Config, typename Access>
BasicField<Target> choice(std::string path, std::vector<std::pair<std::string, T>> choices,
                          Access access) {
  std::string what = "one of";
  for (size_t i = 0; i < choices.size(); ++i) what += (i == 0 ? " " : ", ") + choices[i].first;
  BasicField<Target> field{std::move(path), ValueKind::kChoice, {}, {}, {}, {}};
  field.assign = [what, choices, access](const RawValue& value, Target& config) -> Status {
    if (value.shape != RawValue::Shape::kScalar) return wrongShape(what, value);
    std::string wanted = toLower(trim(value.text));
    for (const auto& [name, option] : choices) {
      if (toLower(name) == wanted) {
        access(config) = option;
        return Status::ok();
      }
    }
    return wrongShape(what, value);
  };
  field.read = [choices, access](const Target& config) {
    for (const auto& [name, option] : choices) {
      if (access(config) == option) return RawValue::scalar(name);
    }
    return RawValue::scalar("?");
  };
  return field;
}

// An optional level in [min, max]; null, "" or "none" means "not checked".
template <typename Target = Config, typename Access>
BasicField<Target> threshold(std::string path, double min, double max, Access access) {
  BasicField<Target> field{std::move(path), ValueKind::kThreshold, {}, {}, {}, {}};
  field.assign = [min, max, access](const RawValue& value, Target& config) -> Status {
    if (value.shape == RawValue::Shape::kList || value.shape == RawValue::Shape::kMapping) {
      return wrongShape("a number or none", value);
    }
    std::string lower = toLower(trim(value.text));
    if (value.shape == RawValue::Shape::kNull || lower.empty() || lower == "none") {
      access(config) = std::nullopt;
      return Status::ok();
    }
    auto parsed = parseNumberText(value.text, min, max);
    if (!parsed) return parsed.status();
    access(config) = *parsed;
    return Status::ok();
  };
  field.read = [access](const Target& config) {
    const std::optional<double>& level = access(config);
    return level ? RawValue::scalar(formatNumber(*level)) : RawValue::null();
  };
  return field;
}

// A list of strings, each validated by `check_item`.
template <typename Target = Config, typename Access>
BasicField<Target> list(std::string path, std::string what, Access access,
                        std::function<Status(std::string_view)> check_item) {
  BasicField<Target> field{std::move(path), ValueKind::kList, {}, {}, {}, {}};
  field.assign = [what, access, check_item](const RawValue& value, Target& config) -> Status {
    if (value.shape != RawValue::Shape::kList) return wrongShape(what, value);
    for (size_t i = 0; i < value.items.size(); ++i) {
      Status status = check_item(value.items[i]);
      if (!status) return status.withContext("item " + std::to_string(i + 1));
    }
    access(config) = value.items;
    return Status::ok();
  };
  field.read = [access](const Target& config) { return RawValue::list(access(config)); };
  return field;
}

// A mapping of names to strings (`labels: {env: prod}`); in the environment, comma-separated
// `name=value` items. Each name is checked by `check_name`.
template <typename Target = Config, typename Access>
BasicField<Target> stringMap(std::string path, std::string what, Access access,
                             std::function<Status(std::string_view)> check_name) {
  BasicField<Target> field{std::move(path), ValueKind::kStringMap, {}, {}, {}, {}};
  field.assign = [what, access, check_name](const RawValue& value, Target& config) -> Status {
    std::map<std::string, std::string> out;
    auto add = [&](const std::string& name, const std::string& text) -> Status {
      ORION_RETURN_IF_ERROR(check_name(name).withContext("'" + name + "'"));
      out[name] = text;
      return Status::ok();
    };
    if (value.shape == RawValue::Shape::kMapping) {
      for (const auto& entry : value.entries) {
        if (entry.value.shape != RawValue::Shape::kScalar) {
          return invalidArgument(
              "'" + entry.key + "': expected a string, got " +
              (entry.value.shape == RawValue::Shape::kNull ? "null" : "a list or mapping"));
        }
        ORION_RETURN_IF_ERROR(add(entry.key, entry.value.text));
      }
    } else if (value.shape == RawValue::Shape::kList && value.elements.empty()) {
      for (const auto& item : value.items) {  // from the environment: name=value
        auto equals = item.find('=');
        if (equals == std::string::npos) return wrongShape(what + " (name=value)", value);
        ORION_RETURN_IF_ERROR(add(item.substr(0, equals), item.substr(equals + 1)));
      }
    } else {
      return wrongShape(what, value);
    }
    access(config) = std::move(out);
    return Status::ok();
  };
  field.read = [access](const Target& config) {
    RawValue value = RawValue::mapping();
    for (const auto& [name, text] : access(config)) {
      value.entries.push_back({name, "", RawValue::string(text)});
    }
    return value;
  };
  return field;
}

}  // namespace builders

}  // namespace orion::config
