#include "config/field_builders.h"
#include "config/fields/fields.h"

namespace orion::config {

namespace b = builders;

void addApiFields(std::vector<Field>& f) {
  f.push_back(b::boolean(
      "api.enabled", [](auto& c) -> auto& { return c.api.enabled; }));
  f.push_back(b::text(
      "api.listen", "host:port", [](auto& c) -> auto& { return c.api.listen; },
      checkListenAddress));
  f.push_back(b::text(
      "api.admin_token_file", "a file path, or empty for none",
      [](auto& c) -> auto& { return c.api.admin_token_file; }, nullptr));
}

}  // namespace orion::config
