#include "common/json.h"

#include "common/json_fast_parse.h"
#include "common/json_writer.h"

namespace orion {

Result<Json> parseJson(std::string_view text) {
  if (std::optional<Json> fast = parseJsonFast(text)) return std::move(*fast);
  // Parse without exceptions; on failure re-run with a callback-free parser to get the position.
  Json doc = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_discarded()) return doc;
  try {
    Json ignored = Json::parse(text);
    (void)ignored;
  } catch (const Json::exception& e) {
    // parse_error for syntax; out_of_range for a number beyond double (1e309).
    return invalidArgument("not valid JSON: " + std::string(e.what()));
  }
  return invalidArgument("not valid JSON");
}

std::string stringOr(const Json& object, std::string_view key, std::string_view fallback) {
  if (!object.is_object()) return std::string(fallback);
  auto found = object.find(key);
  if (found == object.end() || !found->is_string()) return std::string(fallback);
  return found->get<std::string>();
}

std::string dumpJson(const Json& doc) {
  std::string out;
  appendJson(out, doc);
  return out;
}

}  // namespace orion
