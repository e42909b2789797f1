// restart_service through systemd: `systemctl restart -- UNIT`, then `systemctl is-active
// --quiet -- UNIT` until it answers yes or verify_timeout passes. The unit name is checked
// strictly (systemd's own characters) before anything runs.
#include <fmt/format.h>

#include <array>
#include <thread>

#include "commander/executors/builtin_parts.h"
#include "common/time.h"

namespace orion::commander {
namespace {

constexpr std::array<std::string_view, 11> kUnitSuffixes = {
    ".service", ".socket", ".target", ".timer", ".mount", ".automount",
    ".path",    ".slice",  ".scope",  ".swap",  ".device"};
constexpr size_t kMaxUnitName = 255;  // systemd's UNIT_NAME_MAX

bool isUnitChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ':' ||
         c == '_' || c == '.' || c == '-' || c == '@' || c == '\\';
}

bool hasUnitSuffix(std::string_view name) {
  for (std::string_view suffix : kUnitSuffixes) {
    if (name.size() > suffix.size() && name.substr(name.size() - suffix.size()) == suffix) {
      return true;
    }
  }
  return false;
}

}  // namespace

// "nginx" → "nginx.service"; kInvalidArgument for anything systemd would not take as a unit.
Result<std::string> systemdUnitName(std::string_view name) {
  auto bad = [&](std::string_view why) {
    return invalidArgument("'" + std::string(name) + "' is not a systemd unit name (" +
                           std::string(why) + ")");
  };
  if (name.empty()) return bad("empty");
  if (name.front() == '-' || name.front() == '.') return bad("starts with '-' or '.'");
  for (char c : name) {
    if (!isUnitChar(c)) return bad("allowed: letters, digits and : _ . - @ \\");
  }
  std::string unit(name);
  if (!hasUnitSuffix(unit)) unit += ".service";
  if (unit.size() > kMaxUnitName) return bad("longer than 255 characters");
  size_t at = unit.find('@');
  if (at != std::string::npos && unit[at + 1] == '.') {
    return bad("a template needs an instance: name@instance.service");
  }
  return unit;
}

namespace {

class RestartService final : public Executor {
 public:
  explicit RestartService(const BuiltinOptions& options)
      : systemctl_(options.systemctl.empty() ? "systemctl" : options.systemctl),
        verify_timeout_(options.verify_timeout) {}

  const ExecutorMetadata& metadata() const override { return metadata_; }

  Execution execute(const contracts::Action& action, const ExecutionContext& context) override {
    std::string name = stringParameter(action, "unit");
    if (name.empty()) name = stringParameter(action, "service_name");
    if (name.empty()) {
      return Execution::failed("BAD_PARAMETERS", "restart_service needs a unit or service_name");
    }
    auto unit = systemdUnitName(name);
    if (!unit) return Execution::failed("BAD_PARAMETERS", unit.status().message());
    std::vector<std::string> restart = {systemctl_, "restart", "--", *unit};
    std::vector<std::string> check = {systemctl_, "is-active", "--quiet", "--", *unit};
    Json result{{"unit", *unit}};
    if (context.dry_run) {
      result["would_verify"] = check;
      return runCommand(restart, context.deadline - context.clock.monotonic(), 16384, context,
                        std::move(result));
    }
    Execution restarted =
        runCommand(restart, context.deadline - context.clock.monotonic(), 16384, context, result);
    if (restarted.status != ExecutionStatus::kSucceeded) {
      if (restarted.error_code == "COMMAND_FAILED") restarted.error_code = "RESTART_FAILED";
      restarted.result["unit"] = *unit;
      return restarted;
    }
    return verify(*unit, check, context, std::move(restarted.result));
  }

 private:
  // `is-active --quiet` exits 0 for an active unit (3 for inactive/failed, others while it is
  // still activating): poll until 0 or the verify deadline.
  Execution verify(const std::string& unit, const std::vector<std::string>& check,
                   const ExecutionContext& context, Json result) {
    MonoTime until = stepDeadline(context, verify_timeout_);
    std::string last = "not checked";
    while (true) {
      ProcessSpec spec;
      spec.argv = check;
      spec.deadline = std::max(until, context.clock.monotonic() + std::chrono::seconds(1));
      spec.deadline = std::min(spec.deadline, context.deadline);
      auto ran = runProcess(spec, context.clock);
      if (ran && ran->exitedWith(0)) {
        result["verified"] = true;
        result["verify"] = ran->toJson();
        Execution done = Execution::succeeded(std::move(result));
        done.verified = true;
        return done;
      }
      last = ran ? ran->describe() : ran.status().message();
      if (context.clock.monotonic() >= until) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    Execution failed = Execution::failed(
        "VERIFY_FAILED", fmt::format("{} was restarted but is not active within {} (is-active: {})",
                                     unit, formatDuration(verify_timeout_), last));
    result["verified"] = false;
    failed.result = std::move(result);
    failed.verified = false;
    return failed;
  }

  std::string systemctl_;
  Duration verify_timeout_;
  ExecutorMetadata metadata_{"restart_service",
                             policy::DeclaredRisk::kDestructive,
                             true,
                             true,
                             true,
                             "Restart a systemd unit (systemctl restart), verified is-active"};
};

}  // namespace

std::unique_ptr<Executor> makeRestartService(const BuiltinOptions& options) {
  return std::make_unique<RestartService>(options);
}

}  // namespace orion::commander
