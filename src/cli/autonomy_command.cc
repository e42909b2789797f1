// `orion autonomy show` and `orion autonomy set LEVEL --reason "..."`: read or change the
// autonomy level of the running ORION through its control socket (<state_dir>/control.sock).
// Who made the change is what the kernel says about this process (its uid), never an option.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "config/config.h"
#include "control/client.h"

namespace orion::cli {

namespace {

void printAutonomy(const Json& result) {
  std::cout << "autonomy: " << result.value("level", "?") << " (configured "
            << result.value("configured_level", "?") << ", from "
            << result.value("source", "config") << ")\n";
  if (result.contains("last_change")) {
    const Json& last = result["last_change"];
    std::cout << "last change: " << last.value("level", "?") << " by "
              << last.value("changed_by", "?") << " at " << last.value("at", "?") << ": \""
              << last.value("reason", "") << "\""
              << (last.value("in_force", false) ? "" : " (not in force: the configuration changed)")
              << "\n";
  }
}

struct SetArguments {
  std::string level;
  std::string reason;
};

}  // namespace

void addAutonomyCommand(CLI::App& app, GlobalOptions& global, Action& action) {
  CLI::App* command =
      app.add_subcommand("autonomy", "Show or change the autonomy level of the running ORION");
  command->require_subcommand(1);

  CLI::App* show = command->add_subcommand("show", "Print the level in force and its last change");
  show->callback([&global, &action] {
    action = [&global] {
      return callDaemon(global, {"autonomy.show", Json::object(), printAutonomy});
    };
  });

  auto arguments = std::make_shared<SetArguments>();
  CLI::App* set = command->add_subcommand(
      "set",
      "Change the level (N0 observe, N1 suggest, N2 execute SAFE, N3 also RISKY with "
      "approval); audited with your uid and the reason");
  set->add_option("LEVEL", arguments->level, "N0, N1, N2 or N3")->required();
  set->add_option("--reason", arguments->reason, "Why (at least 10 characters; audited)")
      ->required();
  set->callback([&global, &action, arguments] {
    action = [&global, arguments] {
      return callDaemon(
          global, {"autonomy.set", Json{{"level", arguments->level}, {"reason", arguments->reason}},
                   [](const Json& result) {
                     std::cout << "autonomy changed from " << result.value("previous_level", "?")
                               << " to " << result.value("level", "?") << "\n";
                     printAutonomy(result);
                   }});
    };
  });
}

}  // namespace orion::cli
