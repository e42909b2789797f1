#include "config/field_builders.h"
#include "config/fields/fields.h"

namespace orion::config {

namespace b = builders;

void addCommanderFields(std::vector<Field>& f) {
  f.push_back(b::boolean(
      "commander.dry_run", [](auto& c) -> auto& { return c.commander.dry_run; }));
}

}  // namespace orion::config
