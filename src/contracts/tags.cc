#include "contracts/tags.h"

#include "common/json_writer.h"

namespace orion::contracts {

void to_json(Json& out, const Tags& tags) {
  out = Json::object();
  auto& object = out.get_ref<Json::object_t&>();
  // Both are in key order: each entry goes at the end.
  for (const auto& [key, value] : tags) object.emplace_hint(object.end(), key, value);
}

void appendTagsJson(std::string& out, const Tags& tags) {
  JsonObjectWriter object(out);
  for (const auto& [key, value] : tags) object.string(key, value);  // in key order already
}

void from_json(const Json& in, Tags& tags) {
  if (!in.is_object()) {
    throw nlohmann::detail::type_error::create(302, "tags must be an object of strings", &in);
  }
  tags.clear();
  tags.reserve(in.size());
  for (const auto& [key, value] : in.items()) tags.emplace(key, value.get<std::string>());
}

}  // namespace orion::contracts
