#include "api/live_ops.h"

#include "control/control.h"

namespace orion::api {

std::string remoteOf(const httplib::Request& request) {
  return request.remote_addr + ":" + std::to_string(request.remote_port);
}

Result<Json> runOperation(const ApiEnvironment& environment, std::string_view op,
                          std::string_view remote, Json args, std::string_view admin_identity) {
  if (environment.module.operations == nullptr) {
    return unavailable("no control operations in this process (" + std::string(op) + ")");
  }
  control::Request request;
  request.op = std::string(op);
  request.args = std::move(args);
  request.peer = control::selfPeer();
  request.peer.via = "http " + std::string(remote);
  if (!admin_identity.empty()) {
    request.peer.via += " (admin token)";
    request.peer.identity = std::string(admin_identity);
  }
  return environment.module.operations->dispatch(request);
}

}  // namespace orion::api
