// `orion policy check [DIR]` validates a policy directory without a running ORION (exit 0 when
// valid, 2 with one "file:line: key: expected …" line per mistake); `orion policy reload` asks
// the running ORION to load its policy directory again (it keeps the current policy when the new
// one is invalid; SIGHUP does the same).
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "config/config.h"
#include "policy/policy.h"

namespace orion::cli {

namespace {

int runPolicyCheck(const GlobalOptions& global, const std::string& dir_argument) {
  std::string dir = dir_argument;
  if (dir.empty()) {
    auto loaded = config::loadConfig(loadOptions(global, global.config_file));
    if (!loaded) {
      std::cerr << loaded.status().message() << "\n";
      return kExitInvalid;
    }
    dir = loaded->brain.policy_dir;
  }
  auto policy = policy::Policy::load(dir);
  if (!policy) {
    std::cerr << policy.status().message() << "\n";
    return kExitInvalid;
  }
  std::cout << "ok: " << dir << ": " << (*policy)->summary() << " (" << (*policy)->digest()
            << ")\n";
  return kExitOk;
}

void printReloaded(const Json& result) {
  std::cout << "policy reloaded from " << result.value("directory", "?") << ": "
            << result.value("summary", "") << " (" << result.value("digest", "") << ")\n";
}

}  // namespace

void addPolicyCommand(CLI::App& app, GlobalOptions& global, Action& action) {
  CLI::App* command = app.add_subcommand("policy", "Check or reload the policy");
  command->require_subcommand(1);

  auto dir = std::make_shared<std::string>();
  CLI::App* check = command->add_subcommand(
      "check", "Validate a policy directory (exit 0 when valid, 2 otherwise)");
  check->add_option("DIR", *dir, "Policy directory (default: brain.policy_dir)");
  check->callback([&global, &action, dir] {
    action = [&global, dir] { return runPolicyCheck(global, *dir); };
  });

  CLI::App* reload = command->add_subcommand(
      "reload", "Make the running ORION load its policy again (kept if the new one is invalid)");
  reload->callback([&global, &action] {
    action = [&global] {
      return callDaemon(global, {"policy.reload", Json::object(), printReloaded});
    };
  });
}

}  // namespace orion::cli
