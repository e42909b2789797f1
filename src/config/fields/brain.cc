#include "config/field_builders.h"
#include "config/fields/fields.h"

namespace orion::config {

namespace b = builders;

void addBrainFields(std::vector<Field>& f) {
  f.push_back(b::choice<Autonomy>(
      "brain.autonomy_level",
      {{"N0", Autonomy::kN0}, {"N1", Autonomy::kN1}, {"N2", Autonomy::kN2}, {"N3", Autonomy::kN3}},
      [](auto& c) -> auto& { return c.brain.autonomy_level; }));
  f.push_back(b::nonEmptyText(
      "brain.policy_dir", "a directory path", [](auto& c) -> auto& { return c.brain.policy_dir; }));
}

}  // namespace orion::config
