// The built-in executors. acknowledge_incident is internal bookkeeping; restart_container talks
// to the Docker Engine API; restart_service, run_diagnostic, send_notification and the exec
// actions have files of their own; the others have no backend on this deployment and say so.
#include <fmt/format.h>

#include <thread>

#include "commander/executor.h"
#include "commander/executors/builtin_parts.h"
#include "common/time.h"
#include "docker/docker_client.h"

namespace orion::commander {
namespace {

// Records the acknowledgement (who, when, which action) in the outcome. The incident itself is
// changed by its owner: the guardian consumes the succeeded action and publishes the incident as
// `acknowledged` (modules talk only through the bus).
class AcknowledgeIncident final : public Executor {
 public:
  const ExecutorMetadata& metadata() const override { return metadata_; }

  Execution execute(const contracts::Action& action, const ExecutionContext& context) override {
    std::string incident_id = stringParameter(action, "incident_id");
    if (incident_id.empty())
      incident_id =
          action.tags.count("incident_id") != 0 ? action.tags.at("incident_id") : std::string();
    if (incident_id.empty()) {
      return Execution::failed("BAD_PARAMETERS", "acknowledge_incident needs an incident_id");
    }
    Json result{{"incident_id", incident_id},
                {"acknowledgment",
                 {{"incident_id", incident_id},
                  {"acknowledged_at", formatRfc3339(context.clock.now())},
                  {"acknowledged_by", "orion-commander"},
                  {"action_id", action.action_id}}},
                {"message", context.dry_run ? "would acknowledge the incident"
                                            : "incident acknowledged (audit trail updated)"}};
    return Execution::succeeded(std::move(result));
  }

 private:
  ExecutorMetadata metadata_{"acknowledge_incident",
                             policy::DeclaredRisk::kReadOnly,
                             true,
                             true,
                             false,
                             "Record the incident as acknowledged"};
};

// Restarts one container and checks it came back: running, and healthy if it has a health check,
// within verify_timeout. The engine not answering is retryable; an unknown container is not.
class RestartContainer final : public Executor {
 public:
  RestartContainer(const BuiltinOptions& options, const Clock& clock) : options_(options) {
    if (!options.docker_socket.empty()) {
      client_.emplace(options.docker_socket, clock);
    }
  }

  const ExecutorMetadata& metadata() const override { return metadata_; }

  Execution execute(const contracts::Action& action, const ExecutionContext& context) override {
    std::string target = stringParameter(action, "container_id");
    if (target.empty()) target = stringParameter(action, "container_name");
    if (target.empty()) target = stringParameter(action, "service_name");
    if (target.empty()) {
      return Execution::failed("BAD_PARAMETERS",
                               "restart_container needs container_id, container_name or "
                               "service_name");
    }
    if (context.dry_run) {
      return Execution::succeeded(
          Json{{"container", target}, {"would_run", "POST /containers/" + target + "/restart"}});
    }
    if (!client_) {
      return Execution::failed("ENGINE_UNAVAILABLE",
                               "no container engine socket (commander.docker_socket)");
    }
    if (Status restarted = client_->restartContainer(target, options_.stop_grace);
        !restarted.isOk()) {
      bool transient = restarted.code() == StatusCode::kUnavailable ||
                       restarted.code() == StatusCode::kDeadlineExceeded;
      return Execution::failed(transient ? "ENGINE_UNAVAILABLE" : "RESTART_FAILED",
                               restarted.message(),
                               transient ? ExecutionStatus::kRetryable : ExecutionStatus::kFailed);
    }
    return verify(target, context);
  }

 private:
  Execution verify(const std::string& target, const ExecutionContext& context) {
    MonoTime until =
        std::min(context.deadline, context.clock.monotonic() + options_.verify_timeout);
    std::string last = "not inspected";
    while (true) {
      auto details = client_->inspectContainer(target);
      if (details) {
        last = fmt::format("state {}{}", details->summary.state,
                           details->health.empty() ? "" : ", health " + details->health);
        if (details->running && (details->health.empty() || details->health == "healthy")) {
          Execution done = Execution::succeeded(Json{{"container", target},
                                                     {"container_id", details->summary.id},
                                                     {"state", details->summary.state},
                                                     {"health", details->health},
                                                     {"restart_count", details->restart_count},
                                                     {"verified", true}});
          done.verified = true;
          return done;
        }
      } else {
        last = details.status().message();
      }
      if (context.clock.monotonic() >= until) break;
      // A short poll: the engine has no "wait until running" call.
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    Execution failed = Execution::failed(
        "VERIFY_FAILED",
        fmt::format("{} was restarted but is not running{} within {} ({})", target, " and healthy",
                    formatDuration(options_.verify_timeout), last));
    failed.result = Json{{"container", target}, {"verified", false}};
    failed.verified = false;
    return failed;
  }

  BuiltinOptions options_;
  std::optional<docker::DockerClient> client_;
  ExecutorMetadata metadata_{"restart_container",
                             policy::DeclaredRisk::kReversible,
                             true,
                             true,
                             true,
                             "Restart one container through the Docker Engine API"};
};

class NotSupported final : public Executor {
 public:
  explicit NotSupported(std::string action_type)
      : metadata_{
            std::move(action_type),         policy::DeclaredRisk::kDestructive, true, true, false,
            "No backend on this deployment"} {}

  const ExecutorMetadata& metadata() const override { return metadata_; }

  Execution execute(const contracts::Action& action, const ExecutionContext&) override {
    return Execution::failed("NOT_SUPPORTED",
                             action.action_type + " is not supported on this deployment");
  }

 private:
  ExecutorMetadata metadata_;
};

}  // namespace

Status registerBuiltinExecutors(ExecutorRegistry& registry, const BuiltinOptions& options,
                                const Clock& clock) {
  // An executor already registered for a type (a test's, or a deployment's own) wins.
  auto add = [&registry](std::unique_ptr<Executor> executor) {
    if (registry.find(executor->metadata().action_type) != nullptr) return Status::ok();
    return registry.add(std::move(executor));
  };
  ORION_RETURN_IF_ERROR(add(std::make_unique<AcknowledgeIncident>()));
  ORION_RETURN_IF_ERROR(add(std::make_unique<RestartContainer>(options, clock)));
  ORION_RETURN_IF_ERROR(add(makeRestartService(options)));
  ORION_RETURN_IF_ERROR(add(makeRunDiagnostic()));
  ORION_RETURN_IF_ERROR(add(makeSendNotification(options)));
  for (const char* type : {"scale_service", "recreate_container", "prune_images",
                           "stop_edge_device", "restart_edge_device"}) {
    ORION_RETURN_IF_ERROR(add(std::make_unique<NotSupported>(type)));
  }
  return Status::ok();
}

Status registerExecActions(ExecutorRegistry& registry, const policy::Policy& policy) {
  for (const auto& [type, declared] : policy.execActions()) {
    if (registry.find(type) != nullptr) continue;
    ORION_RETURN_IF_ERROR(registry.add(makeExecAction(declared)));
  }
  return Status::ok();
}

}  // namespace orion::commander
