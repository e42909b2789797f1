#include "config/field_builders.h"
#include "config/fields/fields.h"

namespace orion::config {

using namespace std::chrono_literals;
namespace b = builders;

void addMemoryFields(std::vector<Field>& f) {
  f.push_back(b::nonEmptyText(
      "memory.audit_file", "a file path", [](auto& c) -> auto& { return c.memory.audit_file; }));
  f.push_back(b::duration(
      "memory.sync_interval", 1ms, 1min, [](auto& c) -> auto& { return c.memory.sync_interval; }));
}

}  // namespace orion::config
