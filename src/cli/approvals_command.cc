// `orion approvals`, `orion approve ID --reason …`, `orion deny ID --reason …` and
// `orion force ID --reason … [--override-cooldown] [--override-breaker]`: the admin's side of N3
// (docs/approvals.md). Each answer is built here, signed with the admin key (config
// `approval.admin_key_file`, or --key-file) and sent to the running ORION over its control
// socket, or through the bus's Redis from another host (--via, daemon_link.cc); the coordinator
// verifies it, and the commander verifies it again before executing.
// Who answers is this process's uid as the kernel reports it over the socket, and the claimed
// "redis:<user>@<host>" through Redis; either way the signature proves the key.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <memory>

#include "approval/answers.h"
#include "cli/commands.h"
#include "cli/daemon_link.h"
#include "common/clock.h"
#include "config/config.h"
#include "control/control.h"
#include "signing/admin_answer.h"
#include "signing/overrides.h"

namespace orion::cli {
namespace {

using contracts::ApprovalVerdict;

struct AnswerArguments {
  std::string id;
  std::string reason;
  std::string key_file;
  bool override_cooldown = false;
  bool override_breaker = false;
};

void printRequest(const Json& request) {
  std::cout << request.value("approval_request_id", "?") << "  "
            << request.value("action_type", "?") << " "
            << request.value("parameters", Json::object()).dump() << "\n"
            << "    decision " << request.value("decision_id", "?");
  if (request.contains("incident_id")) {
    std::cout << ", incident " << request.value("incident_id", "?");
  }
  std::cout << "; expires " << request.value("expires_at", "?") << " (in "
            << request.value("seconds_left", 0) << " s)\n";
  signing::RequiredOverrides required = signing::parseRequiredOverrides(
      request.value("requires_override", ""), request.value("cooldown_until", ""));
  if (required.any()) {
    std::string held = required.circuit_breaker ? "its circuit breaker is open" : "";
    if (required.cooldown) {
      held = "its cooldown runs until " + request.value("cooldown_until", "?") +
             (held.empty() ? "" : " and " + held);
    }
    std::cout << "    " << held << ": only `orion force "
              << request.value("approval_request_id", "?").substr(0, 8) << " --reason … "
              << signing::requiredFlags(required) << "` runs it"
              << (required.cooldown && !required.circuit_breaker ? " now" : "") << "\n";
  }
  std::string why = request.value("reasoning", "");
  if (!why.empty()) std::cout << "    why: " << why << "\n";
}

void printList(const Json& result) {
  const Json& pending = result["pending"];
  if (pending.empty()) {
    std::cout << "no approval request is waiting\n";
    return;
  }
  std::cout << pending.size() << " approval request(s) waiting:\n";
  for (const Json& request : pending) printRequest(request);
  if (!result.value("keyed", false)) {
    std::cout << "note: ORION has no admin key configured (approval.admin_key_file); it will "
                 "refuse every answer\n";
  }
}

// The admin key the CLI signs with: --key-file, else the configured one (relative: state_dir).
Result<signing::AdminKey> adminKey(const GlobalOptions& global, const std::string& key_file) {
  if (!key_file.empty()) return signing::AdminKey::load(key_file);
  auto loaded = config::loadConfig(loadOptions(global, global.config_file));
  if (!loaded) return loaded.status();
  std::string state_dir = loaded->state_dir.empty()
                              ? config::defaultStateDir(config::processEnvironment())
                              : loaded->state_dir;
  auto key = signing::loadConfiguredKey(loaded->approval.admin_key_file, state_dir);
  if (!key) return key.status();
  if (!key->has_value()) {
    return invalidArgument(
        "no admin key: set approval.admin_key_file (see docs/approvals.md) or give --key-file");
  }
  return std::move(**key);
}

int answer(const GlobalOptions& global, const AnswerArguments& arguments, ApprovalVerdict verdict) {
  auto key = adminKey(global, arguments.key_file);
  if (!key) {
    std::cerr << "orion: " << key.status().message() << "\n";
    return kExitInvalid;
  }
  // One link for both requests: the identity signed into the answer depends on it.
  auto link = resolveDaemonLink(global, "approvals.answer");
  if (!link) {
    std::cerr << link.status().message() << "\n";
    return kExitInvalid;
  }
  Json shown;
  int code = callDaemon(*link, {"approvals.show", Json{{"id", arguments.id}},
                                [&shown](const Json& result) { shown = result; }});
  if (code != kExitOk) return code;

  auto spec =
      signing::answerSpecFor(shown, {verdict, arguments.reason, link->caller_identity,
                                     arguments.override_cooldown, arguments.override_breaker});
  if (!spec) {
    std::cerr << "orion: " << spec.status().message() << "\n";
    return kExitInvalid;
  }
  RealClock clock;
  contracts::ApprovalDecision signed_answer = signing::makeSignedAnswer(*spec, *key, clock.now());
  return callDaemon(
      *link, {"approvals.answer", Json{{"answer", signed_answer.toJson()}},
              [&shown, verdict](const Json& result) {
                const Json& published = result["answer"];
                std::cout << contracts::toString(verdict) << ": " << shown.value("action_type", "?")
                          << " " << shown.value("parameters", Json::object()).dump() << " (request "
                          << shown.value("approval_request_id", "?") << ")\n"
                          << "approval " << published.value("approval_id", "?");
                if (published.contains("expires_at") && verdict != ApprovalVerdict::kDeny) {
                  std::cout << ", usable until " << published.value("expires_at", "?");
                }
                std::cout << (result.value("published", false)
                                  ? "\n"
                                  : " (recorded; the bus will get it shortly)\n");
              }});
}

void addAnswerCommand(CLI::App& app, GlobalOptions& global, Action& action, const char* name,
                      const char* help, ApprovalVerdict verdict) {
  auto arguments = std::make_shared<AnswerArguments>();
  CLI::App* command = app.add_subcommand(name, help);
  command->add_option("ID", arguments->id, "The request id (or its first 8+ characters)")
      ->required();
  command
      ->add_option("--reason", arguments->reason,
                   verdict == ApprovalVerdict::kForce ? "Why (at least 10 characters; audited)"
                                                      : "Why (audited)")
      ->required();
  command->add_option("--key-file", arguments->key_file,
                      "The admin key (default: approval.admin_key_file)");
  addViaOption(*command, global);
  if (verdict == ApprovalVerdict::kForce) {
    command->add_flag("--override-cooldown", arguments->override_cooldown,
                      "Run even though the action's cooldown has not passed");
    command->add_flag("--override-breaker", arguments->override_breaker,
                      "Run even though the circuit breaker is open");
  }
  command->callback([&global, &action, arguments, verdict] {
    action = [&global, arguments, verdict] { return answer(global, *arguments, verdict); };
  });
}

}  // namespace

void addApprovalsCommand(CLI::App& app, GlobalOptions& global, Action& action) {
  CLI::App* list = app.add_subcommand(
      "approvals", "List the approval requests waiting for the admin (action and explanation)");
  addViaOption(*list, global);
  list->callback([&global, &action] {
    action = [&global] {
      return callDaemon(global, {"approvals.list", Json::object(), printList});
    };
  });
  addAnswerCommand(app, global, action, "approve",
                   "Approve a RISKY action once (signed with the admin key)",
                   ApprovalVerdict::kApprove);
  addAnswerCommand(app, global, action, "deny", "Deny an approval request (it never executes)",
                   ApprovalVerdict::kDeny);
  addAnswerCommand(app, global, action, "force",
                   "Approve and bypass safety checks (reason of 10+ characters; overrides only "
                   "with their flags)",
                   ApprovalVerdict::kForce);
}

}  // namespace orion::cli
