// `orion version`: the version and build type this binary was built with, and its allocator.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.h"
#include "common/build_info.h"

namespace orion::cli {

void addVersionCommand(CLI::App& app, GlobalOptions& /*global*/, Action& action) {
  CLI::App* command = app.add_subcommand("version", "Print the version and build type");
  command->callback([&action] {
    action = [] {
      std::string build_type(orionBuildType());
      std::cout << "orion " << orionVersion() << " ("
                << (build_type.empty() ? "no build type" : build_type) << " build, "
                << allocatorInUse() << ")\n";
      return kExitOk;
    };
  });
}

}  // namespace orion::cli
