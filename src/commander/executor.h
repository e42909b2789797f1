// Executors: what the commander runs. An executor is a plugin *type* (STYLE.md): one action type,
// metadata the commander (and the policy re-check) reads, and execute(). Built-ins are registered
// explicitly by registerBuiltinExecutors() (executors/builtin.cc); there is no static registration.
//
// An executor does one attempt and says how it went: succeeded, retryable (a transient error: the
// engine did not answer) or failed. Only the commander retries, backs off and records attempts.
// execute() is called on the commander's execution thread, one action at a time; it must return
// by `deadline` (an action has a timeout) and must run nothing when `dry_run` is set (it then says
// in the result what it would have done).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/json.h"
#include "common/status.h"
#include "contracts/documents.h"
#include "policy/policy.h"

namespace orion::commander {

struct ExecutorMetadata {
  std::string action_type;
  policy::DeclaredRisk risk = policy::DeclaredRisk::kDestructive;
  bool idempotent = false;        // running it twice does no more harm than once
  bool supports_dry_run = false;  // execute() with dry_run describes what it would do
  bool verifiable = false;        // it checks the result after acting (result.verified)
  std::string description;
};

enum class ExecutionStatus { kSucceeded, kRetryable, kFailed };

struct Execution {
  ExecutionStatus status = ExecutionStatus::kFailed;
  Json result = Json::object();
  std::string error_code;  // e.g. "ENGINE_UNAVAILABLE", "NOT_SUPPORTED", "VERIFY_FAILED"
  std::string error_message;
  std::optional<bool> verified;  // set by verifiable executors

  static Execution succeeded(Json result) {
    return {ExecutionStatus::kSucceeded, std::move(result), "", "", std::nullopt};
  }
  static Execution failed(std::string code, std::string message,
                          ExecutionStatus status = ExecutionStatus::kFailed) {
    return {status, Json::object(), std::move(code), std::move(message), std::nullopt};
  }
};

struct ExecutionContext {
  const Clock& clock;
  MonoTime deadline;  // the action's timeout
  bool dry_run = false;
  // The policy snapshot the action was judged under: run_diagnostic and exec actions take their
  // commands from it (nullptr: none, so they run nothing).
  const policy::Policy* policy = nullptr;
};

class Executor {
 public:
  virtual ~Executor() = default;
  virtual const ExecutorMetadata& metadata() const = 0;
  virtual Execution execute(const contracts::Action& action, const ExecutionContext& context) = 0;
};

// The executors of one commander, by action type. Not thread-safe for add(); find() after setup.
class ExecutorRegistry {
 public:
  // kAlreadyExists when the action type already has an executor.
  Status add(std::unique_ptr<Executor> executor);
  Executor* find(std::string_view action_type) const;
  const std::map<std::string, std::unique_ptr<Executor>, std::less<>>& all() const {
    return executors_;
  }

 private:
  std::map<std::string, std::unique_ptr<Executor>, std::less<>> executors_;
};

// One channel send_notification can deliver to (commander.notifications).
struct NotificationChannel {
  enum class Type { kWebhook, kNtfy };
  Type type = Type::kWebhook;
  std::string name;        // what notification_channel names
  std::string url;         // http:// or https://
  std::string token_file;  // "": none; else must not be readable by group/others
  Duration timeout = std::chrono::seconds(10);
  std::vector<std::string> tags;  // ntfy: the Tags header
  std::string priority;           // ntfy: "" derives it from the severity
};

// What the built-in executors need from the deployment.
struct BuiltinOptions {
  std::string docker_socket;  // "" : restart_container fails with ENGINE_UNAVAILABLE
  Duration verify_timeout = std::chrono::seconds(30);  // a restarted container/unit must be up
  Duration stop_grace = std::chrono::seconds(10);
  std::string systemctl = "systemctl";  // restart_service: an absolute path or a name in PATH
  std::vector<NotificationChannel> notification_channels;  // none: send_notification fails
};

// Adds, for each type without an executor yet:
//   acknowledge_incident  bookkeeping in the outcome (read_only)
//   restart_container     Docker Engine API, verified running/healthy (reversible)
//   restart_service       `systemctl restart -- UNIT`, verified `is-active` (destructive)
//   run_diagnostic        a diagnostics.yaml command, output in the outcome (read_only)
//   send_notification     webhook or ntfy POST to a configured channel (read_only)
// and the actions with no backend here (scale_service, recreate_container, prune_images,
// stop_edge_device, restart_edge_device: each fails with NOT_SUPPORTED, "not supported on this
// deployment"). docs/executors.md lists each one's parameters and dry-run behaviour.
Status registerBuiltinExecutors(ExecutorRegistry& registry, const BuiltinOptions& options,
                                const Clock& clock);

// Adds one executor per exec action the policy declares (exec_actions.yaml) that has no executor
// yet. Each runs its argv template with the action's parameters (ExecAction::render), taking the
// declaration from the policy snapshot of each execution (ExecutionContext::policy).
Status registerExecActions(ExecutorRegistry& registry, const policy::Policy& policy);

}  // namespace orion::commander
