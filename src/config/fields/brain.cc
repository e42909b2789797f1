#include "config/field_builders.h"
#include "config/fields/fields.h"

namespace orion::config {

using namespace std::chrono_literals;
namespace b = builders;

void addBrainFields(std::vector<Field>& f) {
  f.push_back(b::choice<Autonomy>(
      "brain.autonomy_level",
      {{"N0", Autonomy::kN0}, {"N1", Autonomy::kN1}, {"N2", Autonomy::kN2}, {"N3", Autonomy::kN3}},
      [](auto& c) -> auto& { return c.brain.autonomy_level; }));
  f.push_back(b::nonEmptyText(
      "brain.policy_dir", "a directory path", [](auto& c) -> auto& { return c.brain.policy_dir; }));
  f.push_back(b::duration(
      "brain.recheck_interval", 10ms, 1min,
      [](auto& c) -> auto& { return c.brain.recheck_interval; }));
  f.push_back(b::integer(
      "brain.max_tracked_incidents", 1, 10'000'000,
      [](auto& c) -> auto& { return c.brain.max_tracked_incidents; }));
}

}  // namespace orion::config
