#include "config/field_builders.h"
#include "config/fields/fields.h"

namespace orion::config {

using namespace std::chrono_literals;
namespace b = builders;

void addCommanderFields(std::vector<Field>& f) {
  f.push_back(b::boolean(
      "commander.dry_run", [](auto& c) -> auto& { return c.commander.dry_run; }));
  f.push_back(b::text(
      "commander.docker_socket", "a unix socket path (unix:///run/podman/podman.sock), or empty",
      [](auto& c) -> auto& { return c.commander.docker_socket; }, nullptr));
  f.push_back(b::duration(
      "commander.action_timeout", 1s, 3600s,
      [](auto& c) -> auto& { return c.commander.action_timeout; }));
  f.push_back(b::duration(
      "commander.verify_timeout", 100ms, 600s,
      [](auto& c) -> auto& { return c.commander.verify_timeout; }));
  f.push_back(b::integer(
      "commander.max_attempts", 1, 10, [](auto& c) -> auto& { return c.commander.max_attempts; }));
}

}  // namespace orion::config
