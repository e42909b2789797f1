#include "contracts/document_fields.h"

#include "common/time.h"

namespace orion::contracts::fields {

namespace {

Status wrongType(std::string_view key, std::string_view expected) {
  return invalidArgument("field '" + std::string(key) + "': expected " + std::string(expected));
}

Status missing(std::string_view key) {
  return invalidArgument("field '" + std::string(key) + "': required field is missing");
}

const Json* member(const Json& object, std::string_view key) {
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

}  // namespace

Json envelope() { return Json{{"version", kContractVersion}}; }

Status checkEnvelope(const Json& document) {
  if (!document.is_object()) return invalidArgument("document: expected a JSON object");
  Result<std::string> version = requiredString(document, "version");
  if (!version.isOk()) return version.status();
  if (*version != kContractVersion) {
    return invalidArgument("field 'version': expected \"" + std::string(kContractVersion) +
                           "\", got \"" + *version + "\"");
  }
  return Status::ok();
}

Result<std::string> requiredString(const Json& object, std::string_view key) {
  const Json* value = member(object, key);
  if (value == nullptr) return missing(key);
  if (!value->is_string()) return wrongType(key, "a string");
  return value->get<std::string>();
}

Result<std::optional<std::string>> optionalString(const Json& object, std::string_view key) {
  const Json* value = member(object, key);
  if (value == nullptr) return std::optional<std::string>();
  if (!value->is_string()) return wrongType(key, "a string");
  return std::optional<std::string>(value->get<std::string>());
}

Result<WallTime> requiredTime(const Json& object, std::string_view key) {
  Result<std::string> text = requiredString(object, key);
  if (!text.isOk()) return text.status();
  Result<WallTime> time = parseRfc3339(*text);
  if (!time.isOk()) {
    return invalidArgument(
        "field '" + std::string(key) +
        "': expected an RFC 3339 date-time with offset: " + time.status().message());
  }
  return time;
}

Result<bool> requiredBool(const Json& object, std::string_view key) {
  const Json* value = member(object, key);
  if (value == nullptr) return missing(key);
  if (!value->is_boolean()) return wrongType(key, "a boolean");
  return value->get<bool>();
}

Result<std::optional<bool>> optionalBool(const Json& object, std::string_view key) {
  const Json* value = member(object, key);
  if (value == nullptr) return std::optional<bool>();
  if (!value->is_boolean()) return wrongType(key, "a boolean");
  return std::optional<bool>(value->get<bool>());
}

Result<int64_t> requiredInteger(const Json& object, std::string_view key) {
  const Json* value = member(object, key);
  if (value == nullptr) return missing(key);
  if (value->is_number_unsigned()) {
    const auto unsigned_value = value->get<uint64_t>();
    if (unsigned_value > static_cast<uint64_t>(INT64_MAX)) return wrongType(key, "an int64");
    return static_cast<int64_t>(unsigned_value);
  }
  if (!value->is_number_integer()) return wrongType(key, "an integer");
  return value->get<int64_t>();
}

Result<Json> objectMember(const Json& object, std::string_view key, bool required) {
  const Json* value = member(object, key);
  if (value == nullptr) {
    if (required) return missing(key);
    return Json::object();
  }
  if (!value->is_object()) return wrongType(key, "an object");
  return *value;
}

Result<std::vector<std::string>> stringArray(const Json& object, std::string_view key) {
  const Json* value = member(object, key);
  if (value == nullptr) return missing(key);
  if (!value->is_array()) return wrongType(key, "an array of strings");
  std::vector<std::string> out;
  out.reserve(value->size());
  for (size_t i = 0; i < value->size(); ++i) {
    const Json& item = (*value)[i];
    if (!item.is_string()) {
      return wrongType(std::string(key) + "[" + std::to_string(i) + "]", "a string");
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

Result<Tags> tags(const Json& object) {
  const Json* value = member(object, "tags");
  Tags out;
  if (value == nullptr) return out;
  if (!value->is_object()) return wrongType("tags", "an object of strings");
  out.reserve(value->size());
  for (const auto& [name, tag] : value->items()) {
    if (!tag.is_string()) return wrongType("tags." + name, "a string");
    out.emplace(name, tag.get<std::string>());
  }
  return out;
}

void putTags(Json& document, const Tags& tags) {
  if (tags.empty()) return;
  document["tags"] = tags;
}

}  // namespace orion::contracts::fields
