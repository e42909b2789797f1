#include "config/field_builders.h"
#include "config/fields/fields.h"

namespace orion::config {

namespace {

namespace b = builders;

// Accepts the original's spellings (INFO, WARNING) and stores spdlog's ("info", "warn").
Field logLevel() {
  Field field{"log.level", ValueKind::kChoice, {}, {}, {}, {}};
  field.assign = [](const RawValue& value, Config& config) -> Status {
    if (value.shape != RawValue::Shape::kScalar) {
      return b::wrongShape("a log level such as info", value);
    }
    std::string level = toLower(trim(value.text));
    if (level == "warning") level = "warn";
    ORION_RETURN_IF_ERROR(checkLogLevel(level));
    config.log.level = level;
    return Status::ok();
  };
  field.read = [](const Config& config) { return RawValue::scalar(config.log.level); };
  return field;
}

}  // namespace

void addProcessFields(std::vector<Field>& f) {
  f.push_back(b::nonEmptyText(
      "node.name", "a non-empty node name", [](auto& c) -> auto& { return c.node.name; }));
  f.push_back(b::nonEmptyText(
      "state_dir", "a directory path", [](auto& c) -> auto& { return c.state_dir; }));
  f.push_back(logLevel());
  f.push_back(b::choice<LogFormat>(
      "log.format",
      {{"auto", LogFormat::kAuto}, {"text", LogFormat::kText}, {"json", LogFormat::kJson}},
      [](auto& c) -> auto& { return c.log.format; }));
}

}  // namespace orion::config
