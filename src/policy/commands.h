// Commands the policy allows the commander to run (part of the immutable Policy snapshot):
//   diagnostics.yaml   diagnostics[]: run_diagnostic's allow-list, diagnostic_type → fixed argv
//   exec_actions.yaml  exec_actions[]: action types of their own, each an argv template whose
//                      {placeholders} are filled from the action's parameters
// Both files are optional (absent: nothing declared). docs/policies.md describes every key.
//
// An argv is a list of strings, never a shell line. argv[0] is an absolute path or a bare name
// (looked up in PATH when run). A placeholder fills part or all of exactly one argv element and
// never splits it, and every value must fully match its parameter's declared pattern, must not
// start with '-' and must not contain NUL, CR or LF: a parameter cannot add an argument, an
// option or shell syntax. Pure and immutable; safe from any thread.
#pragma once

#include <map>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/json.h"
#include "common/status.h"

namespace orion::policy {

// What an executor (or an exec action's author) says about the actions it performs (STYLE.md:
// executor metadata). Declared here so a command's declaration can carry it; see policy.h.
enum class DeclaredRisk { kReadOnly, kReversible, kDestructive };

inline constexpr std::string_view kDiagnosticsFile = "diagnostics.yaml";
inline constexpr std::string_view kExecActionsFile = "exec_actions.yaml";

// Limits of any declared command.
inline constexpr Duration kDefaultCommandTimeout = std::chrono::seconds(30);
inline constexpr Duration kMaxCommandTimeout = std::chrono::seconds(300);
inline constexpr int64_t kDefaultMaxOutput = 64 * 1024;
inline constexpr int64_t kMaxOutputLimit = 1024 * 1024;
// A parameter value longer than this is refused (patterns run on short text only).
inline constexpr size_t kMaxParameterLength = 1024;

struct Diagnostic {
  std::string diagnostic_type;
  std::string description;
  std::vector<std::string> argv;
  Duration timeout = kDefaultCommandTimeout;
  int64_t max_output = kDefaultMaxOutput;  // bytes of stdout+stderr kept in the outcome
  std::string where;                       // "diagnostics.yaml:12"
};

struct ExecParameter {
  std::string pattern;                      // as written
  std::shared_ptr<const std::regex> regex;  // compiled once at load; full match
  std::string description;
};

struct ExecAction {
  std::string action_type;
  std::string description;
  std::vector<std::string> argv;  // templates ({name}; "{{" and "}}" are literal braces)
  std::map<std::string, ExecParameter, std::less<>> parameters;
  DeclaredRisk risk = DeclaredRisk::kDestructive;  // what the author says the command does
  Duration timeout = kDefaultCommandTimeout;
  int64_t max_output = kDefaultMaxOutput;
  std::string where;

  // The argv with every placeholder filled from `parameters` (a JSON object of the action).
  // kInvalidArgument, naming the parameter, when a placeholder's parameter is missing, a value is
  // not a string or integer, is empty, starts with '-', holds NUL/CR/LF, is too long or does not
  // match its pattern, or when `parameters` holds a key that is not declared (except the
  // commander's own: node, dry_run, incident_id). Nothing is run by anyone on error.
  Result<std::vector<std::string>> render(const Json& parameters) const;
};

// The action parameters every action may carry without the exec action declaring them.
bool isReservedParameter(std::string_view name);

}  // namespace orion::policy
