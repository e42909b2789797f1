#include "signing/overrides.h"

#include "common/time.h"

namespace orion::signing {

std::string requiredOverridesTag(const RequiredOverrides& required) {
  std::string tag;
  auto add = [&tag](std::string_view word) {
    if (!tag.empty()) tag += ",";
    tag += word;
  };
  if (required.cooldown) add("cooldown");
  if (required.circuit_breaker) add("circuit_breaker");
  if (!required.unknown.empty()) add(required.unknown);
  return tag;
}

RequiredOverrides parseRequiredOverrides(std::string_view tag, std::string_view cooldown_until) {
  RequiredOverrides required;
  if (auto until = parseRfc3339(cooldown_until); until.isOk()) required.cooldown_until = *until;
  while (!tag.empty()) {
    size_t comma = tag.find(',');
    std::string_view word = tag.substr(0, comma);
    if (word == "cooldown") {
      required.cooldown = true;
    } else if (word == "circuit_breaker") {
      required.circuit_breaker = true;
    } else if (!word.empty()) {
      if (!required.unknown.empty()) required.unknown += ",";
      required.unknown += word;
    }
    if (comma == std::string_view::npos) break;
    tag.remove_prefix(comma + 1);
  }
  return required;
}

std::string requiredFlags(const RequiredOverrides& required) {
  std::string flags;
  if (required.cooldown) flags += "--override-cooldown";
  if (required.circuit_breaker)
    flags += std::string(flags.empty() ? "" : " ") + "--override-breaker";
  return flags;
}

Status checkOverrides(const RequiredOverrides& required, contracts::ApprovalVerdict verdict,
                      bool override_cooldown, bool override_breaker, WallTime now) {
  RequiredOverrides still = required;
  if (still.cooldown && still.cooldown_until && now >= *still.cooldown_until)
    still.cooldown = false;
  if (!still.any()) return Status::ok();
  if (!required.unknown.empty()) {
    return invalidArgument("the request needs an override this ORION does not know ('" +
                           required.unknown + "'): it cannot be run, only denied");
  }
  bool forced = verdict == contracts::ApprovalVerdict::kForce;
  bool enough = forced && (!still.cooldown || override_cooldown) &&
                (!still.circuit_breaker || override_breaker);
  if (enough) return Status::ok();
  std::string held;
  if (still.cooldown) {
    held = "its cooldown has not passed" +
           (still.cooldown_until ? " (until " + formatRfc3339(*still.cooldown_until) + ")"
                                 : std::string());
  }
  if (still.circuit_breaker) {
    held += std::string(held.empty() ? "" : " and ") + "its circuit breaker is open";
  }
  return invalidArgument("the action is held back because " + held + "; only a force with " +
                         requiredFlags(still) + " can run it now (or deny it)");
}

}  // namespace orion::signing
