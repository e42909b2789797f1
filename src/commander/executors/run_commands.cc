// run_diagnostic and the exec actions: commands the policy declares (policy/commands.h), run
// through the process runner. Neither ever goes through a shell; neither runs anything the
// policy snapshot of the execution does not declare.
#include <fmt/format.h>

#include "commander/executors/builtin_parts.h"

namespace orion::commander {
namespace {

std::string declaredTypes(const policy::Policy& policy) {
  std::string names;
  for (const auto& [name, diagnostic] : policy.diagnostics()) {
    names += (names.empty() ? "" : ", ") + name;
  }
  return names.empty() ? "none: the policy has no diagnostics.yaml" : names;
}

class RunDiagnostic final : public Executor {
 public:
  const ExecutorMetadata& metadata() const override { return metadata_; }

  Execution execute(const contracts::Action& action, const ExecutionContext& context) override {
    std::string type = stringParameter(action, "diagnostic_type");
    if (type.empty()) {
      return Execution::failed("BAD_PARAMETERS", "run_diagnostic needs a diagnostic_type");
    }
    const policy::Diagnostic* diagnostic =
        context.policy != nullptr ? context.policy->diagnostic(type) : nullptr;
    if (diagnostic == nullptr) {
      return Execution::failed(
          "NOT_ALLOWED",
          fmt::format("diagnostic_type '{}' is not declared in the policy's {} (declared: {}); "
                      "nothing ran",
                      type, policy::kDiagnosticsFile,
                      context.policy != nullptr ? declaredTypes(*context.policy) : "no policy"));
    }
    return runCommand(diagnostic->argv, diagnostic->timeout, diagnostic->max_output, context,
                      Json{{"diagnostic_type", type}, {"description", diagnostic->description}});
  }

 private:
  ExecutorMetadata metadata_{"run_diagnostic",
                             policy::DeclaredRisk::kReadOnly,
                             true,
                             true,
                             false,
                             "Run an allow-listed read-only command (diagnostics.yaml)"};
};

class ExecAction final : public Executor {
 public:
  explicit ExecAction(const policy::ExecAction& declared)
      : metadata_{declared.action_type,
                  declared.risk,
                  false,
                  true,
                  false,
                  declared.description.empty() ? "Run a declared argv template (exec_actions.yaml)"
                                               : declared.description} {}

  const ExecutorMetadata& metadata() const override { return metadata_; }

  Execution execute(const contracts::Action& action, const ExecutionContext& context) override {
    const policy::ExecAction* declared =
        context.policy != nullptr ? context.policy->execAction(action.action_type) : nullptr;
    if (declared == nullptr) {
      return Execution::failed("NOT_ALLOWED",
                               action.action_type + " is not declared in the policy's " +
                                   std::string(policy::kExecActionsFile) + "; nothing ran");
    }
    auto argv = declared->render(action.parameters);
    if (!argv) {
      return Execution::failed("BAD_PARAMETERS", argv.status().message() + "; nothing ran");
    }
    return runCommand(*argv, declared->timeout, declared->max_output, context,
                      Json{{"exec_action", declared->action_type}});
  }

 private:
  ExecutorMetadata metadata_;
};

}  // namespace

std::unique_ptr<Executor> makeRunDiagnostic() { return std::make_unique<RunDiagnostic>(); }

std::unique_ptr<Executor> makeExecAction(const policy::ExecAction& declared) {
  return std::make_unique<ExecAction>(declared);
}

}  // namespace orion::commander
