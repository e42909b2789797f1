#include "commander/executor.h"

namespace orion::commander {

Status ExecutorRegistry::add(std::unique_ptr<Executor> executor) {
  std::string type = executor->metadata().action_type;
  if (executors_.contains(type)) {
    return Status(StatusCode::kAlreadyExists, "executor for " + type + " registered twice");
  }
  executors_.emplace(std::move(type), std::move(executor));
  return Status::ok();
}

Executor* ExecutorRegistry::find(std::string_view action_type) const {
  auto it = executors_.find(action_type);
  return it == executors_.end() ? nullptr : it->second.get();
}

}  // namespace orion::commander
