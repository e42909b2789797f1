#include "policy/policy.h"

#include <fmt/format.h>

#include <algorithm>

#include "policy/holder.h"

namespace orion::policy {

namespace {

std::string parameterText(const Json& parameters, std::string_view key) {
  if (!parameters.is_object()) return "";
  auto it = parameters.find(key);
  if (it == parameters.end() || it->is_null()) return "";
  if (it->is_string()) return it->get<std::string>();
  return dumpJson(*it);
}

}  // namespace

std::string_view toString(DeclaredRisk risk) {
  switch (risk) {
    case DeclaredRisk::kReadOnly:
      return "read_only";
    case DeclaredRisk::kReversible:
      return "reversible";
    case DeclaredRisk::kDestructive:
      return "destructive";
  }
  return "destructive";
}

Result<DeclaredRisk> parseDeclaredRisk(std::string_view text) {
  if (text == "read_only") return DeclaredRisk::kReadOnly;
  if (text == "reversible") return DeclaredRisk::kReversible;
  if (text == "destructive") return DeclaredRisk::kDestructive;
  return invalidArgument("unknown declared risk '" + std::string(text) +
                         "' (expected read_only, reversible or destructive)");
}

std::string_view toString(TimeoutBehavior behavior) {
  return behavior == TimeoutBehavior::kDeny ? "deny" : "expire";
}

bool BreakerSettings::appliesTo(std::string_view action_type) const {
  if (!enabled) return false;
  if (applies_to.empty()) return true;
  return std::find(applies_to.begin(), applies_to.end(), action_type) != applies_to.end();
}

SafetyClass Policy::classify(std::string_view action_type) const {
  const ActionEntry* entry = action(action_type);
  if (entry != nullptr) return entry->classification;
  // A declared exec action runs whatever its author wrote: never SAFE unless listed SAFE.
  return execAction(action_type) != nullptr ? SafetyClass::kRisky : SafetyClass::kUnknown;
}

SafetyClass Policy::classify(std::string_view action_type,
                             std::optional<DeclaredRisk> declared_risk) const {
  SafetyClass listed = classify(action_type);
  // Only ever stricter: a destructive executor makes a SAFE listing RISKY; nothing it says can
  // lift RISKY or UNKNOWN.
  if (listed == SafetyClass::kSafe && declared_risk == DeclaredRisk::kDestructive) {
    return SafetyClass::kRisky;
  }
  return listed;
}

const ActionEntry* Policy::action(std::string_view action_type) const {
  auto it = actions_.find(action_type);
  return it == actions_.end() ? nullptr : &it->second;
}

const Diagnostic* Policy::diagnostic(std::string_view diagnostic_type) const {
  auto it = diagnostics_.find(diagnostic_type);
  return it == diagnostics_.end() ? nullptr : &it->second;
}

const ExecAction* Policy::execAction(std::string_view action_type) const {
  auto it = exec_actions_.find(action_type);
  return it == exec_actions_.end() ? nullptr : &it->second;
}

Cooldown Policy::cooldownFor(std::string_view action_type) const {
  auto it = cooldowns_.find(action_type);
  if (it != cooldowns_.end()) return it->second;
  return Cooldown{global_default_cooldown_, "", true};
}

std::string Policy::cooldownKey(std::string_view action_type, const Json& parameters) const {
  return cooldownKeyFor(cooldownFor(action_type), parameters);
}

std::string Policy::targetOf(std::string_view action_type, const Json& parameters) const {
  return targetFor(cooldownFor(action_type), parameters);
}

std::string Policy::cooldownKeyFor(const Cooldown& cooldown, const Json& parameters) {
  if (cooldown.applies_per.empty()) return "";
  return parameterText(parameters, cooldown.applies_per);
}

std::string Policy::targetFor(const Cooldown& cooldown, const Json& parameters) {
  std::string key = cooldownKeyFor(cooldown, parameters);
  if (!key.empty()) return key;
  for (std::string_view name : {"service_name", "container_id", "device_id", "resource", "node"}) {
    std::string value = parameterText(parameters, name);
    if (!value.empty()) return value;
  }
  return "";
}

std::optional<RateLimit> Policy::rateLimitFor(std::string_view action_type) const {
  const ActionEntry* entry = action(action_type);
  if (entry == nullptr) return std::nullopt;
  return entry->max_frequency;
}

Duration Policy::approvalTimeout(std::string_view action_type) const {
  Duration timeout = approvals_.default_timeout;
  if (auto it = approvals_.overrides.find(action_type); it != approvals_.overrides.end()) {
    timeout = it->second;
  } else if (const ActionEntry* entry = action(action_type);
             entry != nullptr && entry->approval_timeout) {
    timeout = *entry->approval_timeout;
  }
  return std::min(timeout, approvals_.max_timeout);
}

LevelPermissions Policy::permissions(contracts::AutonomyLevel level) const {
  auto it = permissions_.find(level);
  return it == permissions_.end() ? LevelPermissions{} : it->second;
}

ActionProfile Policy::profileOf(std::string_view action_type) const {
  ActionProfile profile;
  profile.classification = classify(action_type);
  if (const ActionEntry* entry = action(action_type)) {
    profile.listed_at = entry->where;
  } else if (const ExecAction* exec = execAction(action_type)) {
    // RISKY without being listed (classify()): say where it is declared, and why it is RISKY.
    profile.listed_at = exec->where + ": an exec action listed in neither " +
                        std::string(kSafeFile) + " nor " + std::string(kRiskyFile);
  }
  profile.cooldown = cooldownFor(action_type);
  profile.rate_limit = rateLimitFor(action_type);
  profile.approval_timeout = approvalTimeout(action_type);
  profile.breaker_applies = breaker_.appliesTo(action_type);
  return profile;
}

std::string Policy::summary() const {
  if (!loaded()) return "no valid policy (" + problem_ + "): nothing is SAFE, no rule applies";
  size_t safe = static_cast<size_t>(std::count_if(actions_.begin(), actions_.end(), [](auto& a) {
    return a.second.classification == SafetyClass::kSafe;
  }));
  // An exec action listed in neither file is RISKY (classify()).
  size_t unlisted_exec =
      static_cast<size_t>(std::count_if(exec_actions_.begin(), exec_actions_.end(),
                                        [this](auto& e) { return !actions_.contains(e.first); }));
  size_t risky = actions_.size() - safe + unlisted_exec;
  std::string text = fmt::format("{} rule{}; {} SAFE and {} RISKY action{}", rules_.size(),
                                 rules_.size() == 1 ? "" : "s", safe, risky, risky == 1 ? "" : "s");
  if (!exec_actions_.empty()) {
    text += fmt::format(" ({} of them exec action{})", exec_actions_.size(),
                        exec_actions_.size() == 1 ? "" : "s");
  }
  if (!diagnostics_.empty()) {
    text +=
        fmt::format("; {} diagnostic{}", diagnostics_.size(), diagnostics_.size() == 1 ? "" : "s");
  }
  return text;
}

// ---- PolicyHolder ----------------------------------------------------------------------------

PolicyHolder::PolicyHolder(std::filesystem::path directory)
    : directory_(std::move(directory)), current_(Policy::failClosed("not loaded yet")) {}

Status PolicyHolder::reload() {
  auto loaded = Policy::load(directory_);
  std::lock_guard lock(mutex_);
  if (!loaded) {
    ++failed_reloads_;
    last_error_ = loaded.status().message();
    if (!current_->loaded()) current_ = Policy::failClosed(last_error_);
    return loaded.status();
  }
  current_ = std::move(loaded).value();
  failed_reloads_ = 0;
  last_error_.clear();
  return Status::ok();
}

PolicyPtr PolicyHolder::current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

int PolicyHolder::failedReloads() const {
  std::lock_guard lock(mutex_);
  return failed_reloads_;
}

std::string PolicyHolder::lastError() const {
  std::lock_guard lock(mutex_);
  return last_error_;
}

}  // namespace orion::policy
