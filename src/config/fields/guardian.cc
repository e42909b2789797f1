#include "config/field_builders.h"
#include "config/fields/fields.h"

namespace orion::config {

using namespace std::chrono_literals;
namespace b = builders;

void addGuardianFields(std::vector<Field>& f) {
  f.push_back(b::duration(
      "guardian.correlation_window", 1ms, 24h,
      [](auto& c) -> auto& { return c.guardian.correlation_window; }));
  f.push_back(b::integer(
      "guardian.max_open_incidents", 1, 10'000'000,
      [](auto& c) -> auto& { return c.guardian.max_open_incidents; }));
  f.push_back(b::integer(
      "guardian.flap_threshold", 2, 1000,
      [](auto& c) -> auto& { return c.guardian.flap_threshold; }));
  f.push_back(b::duration(
      "guardian.flap_window", 1s, 24h, [](auto& c) -> auto& { return c.guardian.flap_window; }));
  f.push_back(b::integer(
      "guardian.node_correlation_threshold", 2, 1000,
      [](auto& c) -> auto& { return c.guardian.node_correlation_threshold; }));
  f.push_back(b::integer(
      "guardian.max_resolved_fingerprints", 1, 10'000'000,
      [](auto& c) -> auto& { return c.guardian.max_resolved_fingerprints; }));
  f.push_back(b::integer(
      "guardian.max_remembered_events", 1, 10'000'000,
      [](auto& c) -> auto& { return c.guardian.max_remembered_events; }));
}

}  // namespace orion::config
