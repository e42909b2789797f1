// The `orion` command line: global options, one subcommand, exit codes.
#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>

#include "cli/commands.h"

namespace orion::cli {

namespace {

constexpr const char* kFooter = R"(
Exit codes:
  0  success
  1  failure (a module could not start, the shutdown overran, an I/O error)
  2  bad usage, invalid configuration or invalid input document

Environment: ORION_CONFIG and ORION_ENV_FILE give --config and --env-file defaults; every
configuration key can be overridden by an ORION_* variable (see `orion config show`).)";

}  // namespace

int runCli(int argc, char** argv) {
  CLI::App app{"ORION: a safety-first autonomous operations agent", "orion"};
  app.footer(kFooter);
  app.require_subcommand(1);
  // Lets the global options follow the subcommand too: `orion run --config orion.yaml`.
  app.fallthrough();

  GlobalOptions global;
  app.add_option("-c,--config", global.config_file, "Configuration file (YAML)")
      ->envname("ORION_CONFIG");
  app.add_option("--env-file", global.env_file, "File of ORION_*=value lines to apply")
      ->envname("ORION_ENV_FILE");
  app.add_option("--state-dir", global.state_dir,
                 "Directory for the audit trail and other state (overrides state_dir)");

  Action action;
  addRunCommand(app, global, action);
  addConfigCommand(app, global, action);
  addContractsCommand(app, global, action);
  addVersionCommand(app, global, action);
  addPolicyCommand(app, global, action);
  addAutonomyCommand(app, global, action);
  addAuditCommand(app, global, action);
  addApprovalsCommand(app, global, action);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    // --help and --version are "errors" with exit code 0; everything else is bad usage.
    return app.exit(error) == 0 ? kExitOk : kExitInvalid;
  }
  if (!action) {
    std::cerr << "orion: no command to run\n" << app.help();
    return kExitInvalid;
  }
  try {
    return action();
  } catch (const std::exception& error) {
    // Commands report their own errors; this is the last line of defence against a library throw.
    std::cerr << "orion: " << error.what() << "\n";
    return kExitFailure;
  }
}

}  // namespace orion::cli
