// Decision documents as the brain publishes them, for the commander's tests (unit and
// integration): a type, an optional proposed action with its parameters, the node it is for.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/ids.h"
#include "common/json.h"

namespace orion::testing {

inline Json decisionDocument(std::string_view type,
                             std::optional<std::string> action = std::nullopt,
                             Json parameters = Json::object(), std::string node = "n") {
  Json d{{"version", "1.0"},
         {"decision_id", newUuid()},
         {"timestamp", "2026-01-01T00:00:00Z"},
         {"source", "orion-brain"},
         {"incident_id", newUuid()},
         {"decision_type", type},
         {"safety_classification", type == "REQUEST_APPROVAL" ? "RISKY" : "SAFE"},
         {"requires_approval", type == "REQUEST_APPROVAL"},
         {"reasoning", "a decision for a commander test"},
         {"tags", {{"node", node}}}};
  if (action) d["proposed_action"] = Json{{"action_type", *action}, {"parameters", parameters}};
  return d;
}

}  // namespace orion::testing
