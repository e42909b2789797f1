// `orion config check [FILE]` and `orion config show`: validate or print the configuration that
// `orion run` would use, from the same sources (--config, --env-file, the process environment,
// --state-dir) and with the same loader.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "config/config.h"

namespace orion::cli {

config::LoadOptions loadOptions(const GlobalOptions& global, const std::string& file) {
  config::LoadOptions options;
  if (!file.empty()) options.file = file;
  if (!global.env_file.empty()) options.env_file = global.env_file;
  if (!global.state_dir.empty()) options.state_dir = global.state_dir;
  options.environment = config::processEnvironment();
  return options;
}

namespace {

// Each error of a failed load on its own line of stderr.
int reportInvalid(const Status& status) {
  std::cerr << status.message() << "\n";
  return kExitInvalid;
}

int runConfigCheck(const GlobalOptions& global, const std::string& file_argument) {
  std::string file = file_argument.empty() ? global.config_file : file_argument;
  auto loaded = config::loadConfig(loadOptions(global, file));
  if (!loaded) return reportInvalid(loaded.status());
  std::cout << "ok: " << (file.empty() ? "defaults and environment" : file) << "\n";
  return kExitOk;
}

int runShow(const GlobalOptions& global) {
  auto loaded = config::loadConfig(loadOptions(global, global.config_file));
  if (!loaded) return reportInvalid(loaded.status());
  std::cout << config::renderYaml(*loaded);
  return kExitOk;
}

}  // namespace

void addConfigCommand(CLI::App& app, GlobalOptions& global, Action& action) {
  CLI::App* command = app.add_subcommand("config", "Check or print the configuration");
  command->require_subcommand(1);

  // The positional's storage must live as long as the app; the callback owns it.
  auto file = std::make_shared<std::string>();
  CLI::App* check =
      command->add_subcommand("check", "Validate a config file (exit 0 when valid, 2 otherwise)");
  check->add_option("FILE", *file, "YAML file to check (default: --config)");
  check->callback([&global, &action, file] {
    action = [&global, file] { return runConfigCheck(global, *file); };
  });

  CLI::App* show = command->add_subcommand(
      "show", "Print the effective configuration (file, .env, environment, flags) as YAML");
  show->callback([&global, &action] { action = [&global] { return runShow(global); }; });
}

}  // namespace orion::cli
