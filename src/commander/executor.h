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

// What the built-in executors need from the deployment.
struct BuiltinOptions {
  std::string docker_socket;  // "" : restart_container fails with ENGINE_UNAVAILABLE
  Duration verify_timeout = std::chrono::seconds(30);  // a restarted container must be running
  Duration stop_grace = std::chrono::seconds(10);
};

// Adds, for each type without an executor yet: acknowledge_incident, restart_container, and the
// actions with no backend here (scale_service, restart_service, recreate_container, prune_images,
// stop_edge_device, restart_edge_device: each fails with NOT_SUPPORTED, "not supported on this
// deployment").
Status registerBuiltinExecutors(ExecutorRegistry& registry, const BuiltinOptions& options,
                                const Clock& clock);

}  // namespace orion::commander
