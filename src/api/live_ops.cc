#include "api/live_ops.h"

#include "control/control.h"

namespace orion::api {

Result<Json> runOperation(const ApiEnvironment& environment, std::string_view op,
                          std::string_view remote, Json args) {
  if (environment.module.operations == nullptr) {
    return unavailable("no control operations in this process (" + std::string(op) + ")");
  }
  control::Request request;
  request.op = std::string(op);
  request.args = std::move(args);
  request.peer = control::selfPeer();
  request.peer.via = "http " + std::string(remote);
  return environment.module.operations->dispatch(request);
}

}  // namespace orion::api
