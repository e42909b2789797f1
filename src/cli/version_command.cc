// `orion version`: the version and build type this binary was built with.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.h"

#ifndef ORION_VERSION
#error "ORION_VERSION must be defined by the build (src/cli/CMakeLists.txt)"
#endif
#ifndef ORION_BUILD_TYPE
#define ORION_BUILD_TYPE "unspecified"
#endif

namespace orion::cli {

void addVersionCommand(CLI::App& app, GlobalOptions& /*global*/, Action& action) {
  CLI::App* command = app.add_subcommand("version", "Print the version and build type");
  command->callback([&action] {
    action = [] {
      std::string build_type = ORION_BUILD_TYPE;
      std::cout << "orion " << ORION_VERSION << " ("
                << (build_type.empty() ? "no build type" : build_type) << " build)\n";
      return kExitOk;
    };
  });
}

}  // namespace orion::cli
