// The `orion` command line: one file per subcommand, each adding itself to the CLI11 app.
//
// A subcommand's add function registers its options and, when the subcommand is chosen on the
// command line, stores in `action` the function main runs after parsing. Exit codes (also in the
// README): 0 success; 2 bad usage, invalid configuration or invalid input document; 1 any other
// failure.
#pragma once

#include <functional>
#include <string>

#include "common/json.h"
#include "common/status.h"

namespace CLI {
class App;
}

namespace orion::config {
struct LoadOptions;
}

namespace orion::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitInvalid = 2;

// Options every subcommand that loads configuration shares.
struct GlobalOptions {
  std::string config_file;   // --config / -c
  std::string env_file;      // --env-file
  std::string state_dir;     // --state-dir
  std::string via = "auto";  // --via of the commands that talk to a running ORION (daemon_link.cc)
};

using Action = std::function<int()>;

void addRunCommand(CLI::App& app, GlobalOptions& global, Action& action);     // run_command.cc
void addConfigCommand(CLI::App& app, GlobalOptions& global, Action& action);  // config_command.cc
void addContractsCommand(CLI::App& app, GlobalOptions& global,
                         Action& action);  // contracts_command.cc
void addVersionCommand(CLI::App& app, GlobalOptions& global, Action& action);  // version_command.cc
void addPolicyCommand(CLI::App& app, GlobalOptions& global, Action& action);   // policy_command.cc
void addAutonomyCommand(CLI::App& app, GlobalOptions& global,
                        Action& action);                                     // autonomy_command.cc
void addAuditCommand(CLI::App& app, GlobalOptions& global, Action& action);  // audit_command.cc
// `approvals`, `approve`, `deny`, `force` (approvals_command.cc).
void addApprovalsCommand(CLI::App& app, GlobalOptions& global, Action& action);

// How every subcommand loads the configuration `orion run` would use: `file` (or none), the
// --env-file, the process environment and --state-dir (config_command.cc).
config::LoadOptions loadOptions(const GlobalOptions& global, const std::string& file);

// Sends one control request to the running daemon and returns the exit code: prints the result
// with `print`, or the error to stderr (2 for a refused or invalid request, 1 when ORION is not
// running, did not answer, or the request failed).
struct ControlCall {
  std::string op;
  Json args = Json::object();
  std::function<void(const Json& result)> print;
};
int callDaemon(const GlobalOptions& global, const ControlCall& call);  // daemon_link.cc
// Adds --via auto|socket|redis to a command that talks to a running ORION (daemon_link.cc).
void addViaOption(CLI::App& command, GlobalOptions& global);

// Parses argv and runs the chosen subcommand; returns the exit code.
int runCli(int argc, char** argv);

}  // namespace orion::cli
