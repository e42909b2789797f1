// `orion run`: load the configuration, configure logging and hand over to the daemon.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "common/logging.h"
#include "config/config.h"
#include "daemon/supervisor.h"

namespace orion::cli {

namespace {

struct RunFlags {
  std::vector<std::string> modules;
  bool no_summary = false;
};

int runDaemonCommand(const GlobalOptions& global, const RunFlags& flags) {
  if (Status names = daemon::checkModuleNames(flags.modules); !names.isOk()) {
    std::cerr << "orion run: --modules: " << names.message() << "\n";
    return kExitInvalid;
  }

  config::LoadOptions load;
  if (!global.config_file.empty()) load.file = global.config_file;
  if (!global.env_file.empty()) load.env_file = global.env_file;
  if (!global.state_dir.empty()) load.state_dir = global.state_dir;
  load.environment = config::processEnvironment();
  auto loaded = config::loadConfig(load);
  if (!loaded) {
    // One error per line, each already naming file:line and the key.
    std::cerr << loaded.status().message() << "\n";
    return kExitInvalid;
  }
  config::Config config = std::move(*loaded);
  if (config.state_dir.empty()) config.state_dir = config::defaultStateDir(load.environment);

  LogSettings logging_settings = config.log;
  bool summary_on_terminal = !flags.no_summary && isatty(STDOUT_FILENO) != 0;
  if (summary_on_terminal && isatty(STDERR_FILENO) != 0 && logging_settings.level == "info") {
    // The live summary already shows every document on this screen; info logs would repeat each
    // one. Warnings and errors still appear; --no-summary brings the info logs back.
    logging_settings.level = "warn";
  }
  if (Status logging = configureLogging(logging_settings); !logging.isOk()) {
    std::cerr << "orion run: log: " << logging.message() << "\n";
    return kExitInvalid;
  }

  daemon::RunOptions options;
  options.modules = flags.modules;
  options.live_summary = !flags.no_summary;
  return daemon::runDaemon(config, options);
}

}  // namespace

void addRunCommand(CLI::App& app, GlobalOptions& global, Action& action) {
  CLI::App* command = app.add_subcommand(
      "run", "Run the pipeline (watcher → guardian → brain → memory …) until SIGINT/SIGTERM");
  // The flags must live as long as the app; the callback shares them.
  auto flags = std::make_shared<RunFlags>();
  command
      ->add_option("--modules", flags->modules,
                   "Comma-separated subset of modules to run: memory, commander, approval, brain, "
                   "guardian, watcher, api (default: all)")
      ->delimiter(',');
  command->add_flag("--no-summary", flags->no_summary,
                    "Do not print the live summary on the terminal (and keep info logs there)");
  command->callback([&global, &action, flags] {
    action = [&global, flags] { return runDaemonCommand(global, *flags); };
  });
}

}  // namespace orion::cli
