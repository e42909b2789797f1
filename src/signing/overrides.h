// What a held-back action needs from the admin's force: at N3, when the only gates holding an
// action back are its per-action cooldown and/or its circuit breaker, the brain asks the admin
// instead of stopping, and tags the decision and the request with `requires_override`. Only a
// force carrying the matching flags (--override-cooldown, --override-breaker) runs it; the
// coordinator checks that when the answer arrives and the commander again before it executes.
// One place for the tag's words and the check, shared by brain, coordinator, commander, CLI and
// API.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "contracts/documents.h"

namespace orion::signing {

struct RequiredOverrides {
  bool cooldown = false;
  // When the cooldown ends (tags.cooldown_until): from then on the cooldown needs no override
  // any more, and a plain approve is enough for it. nullopt: only a force lifts it.
  std::optional<WallTime> cooldown_until;
  bool circuit_breaker = false;
  // A word this build does not know (a newer brain): no answer satisfies it (fail closed).
  std::string unknown;

  bool any() const { return cooldown || circuit_breaker || !unknown.empty(); }
};

// The tag's value: "cooldown", "circuit_breaker" or "cooldown,circuit_breaker" ("" for none).
std::string requiredOverridesTag(const RequiredOverrides& required);
// From tags.requires_override and tags.cooldown_until (RFC 3339; "" or unreadable: nullopt).
RequiredOverrides parseRequiredOverrides(std::string_view tag,
                                         std::string_view cooldown_until = "");

// "--override-cooldown --override-breaker": what a force must carry, for messages.
std::string requiredFlags(const RequiredOverrides& required);

// OK when the answer may run an action that needs `required` at `now`: nothing is required, or
// it is a force with every required flag (a cooldown that has ended by `now` needs none).
// kInvalidArgument saying what is missing otherwise (`deny` is never checked: it runs nothing).
Status checkOverrides(const RequiredOverrides& required, contracts::ApprovalVerdict verdict,
                      bool override_cooldown, bool override_breaker, WallTime now);

}  // namespace orion::signing
