// How the CLI reaches a running ORION: the local control socket, or the control channel through
// the bus's Redis (bus/redis_control.h) for an admin on a host without the module that holds
// the operation. See commands.h (DaemonLink) and docs/approvals.md.
#include "cli/daemon_link.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <filesystem>
#include <iostream>

#include "approval/answers.h"
#include "bus/redis_control.h"
#include "cli/commands.h"
#include "config/config.h"
#include "contracts/registry.h"
#include "control/client.h"
#include "control/control.h"
#include "daemon/supervisor.h"

namespace orion::cli {
namespace {

// Whether the local ORION's socket answers and lists `op` among its operations.
bool socketHolds(const std::string& socket_path, std::string_view op) {
  if (!std::filesystem::exists(socket_path)) return false;
  auto listed = control::call(socket_path, "ops.list", Json::object(), std::chrono::seconds(3));
  if (!listed || !listed->contains("ops") || !(*listed)["ops"].is_array()) return false;
  const Json& ops = (*listed)["ops"];
  return std::any_of(ops.begin(), ops.end(), [op](const Json& entry) {
    return entry.is_object() && entry.value("op", "") == op;
  });
}

int exitCodeFor(const Status& status) {
  StatusCode code = status.code();
  bool refused = code == StatusCode::kInvalidArgument || code == StatusCode::kFailedPrecondition ||
                 code == StatusCode::kPermissionDenied;
  return refused ? kExitInvalid : kExitFailure;
}

}  // namespace

Result<DaemonLink> resolveDaemonLink(const GlobalOptions& global, std::string_view op) {
  auto loaded = config::loadConfig(loadOptions(global, global.config_file));
  if (!loaded) return loaded.status();
  DaemonLink link;
  std::string state_dir = loaded->state_dir.empty()
                              ? config::defaultStateDir(config::processEnvironment())
                              : loaded->state_dir;
  link.socket_path = control::socketPathFor(state_dir).string();
  link.prefix = loaded->bus.stream_prefix;
  const bool redis_configured = !loaded->bus.url.empty();

  if (global.via == "redis") {
    if (!redis_configured) {
      return invalidArgument(
          "--via redis needs a Redis bus: set bus.url (or ORION_BUS_URL) to the Redis the ORION "
          "core uses");
    }
    link.through_redis = true;
  } else if (global.via == "auto") {
    link.through_redis = redis_configured && !socketHolds(link.socket_path, op);
  }
  if (link.through_redis) {
    auto endpoint = daemon::redisEndpointFor(loaded->bus);
    if (!endpoint) return endpoint.status();
    link.endpoint = *endpoint;
    link.caller_identity = bus::redisCallerIdentity(bus::thisSender());
  } else {
    control::Peer self = control::selfPeer();
    link.caller_identity = approval::cliIdentity(self.uid, self.user);
  }
  return link;
}

void addViaOption(CLI::App& command, GlobalOptions& global) {
  command
      .add_option("--via", global.via,
                  "How to reach ORION: socket (this host's), redis (the bus.url Redis, for an "
                  "admin on another host), auto (the socket if its ORION has the operation, else "
                  "Redis when bus.url is set)")
      ->check(CLI::IsMember({"auto", "socket", "redis"}))
      ->capture_default_str();
}

namespace {

// One request through Redis: the contracts (compiled once per process) to check both
// documents, and this process as sender.
Result<Json> callThroughRedis(const DaemonLink& link, const ControlCall& call) {
  static const auto contracts = contracts::ContractRegistry::loadEmbedded();
  if (!contracts) return contracts.status();
  RealClock clock;
  bus::RedisControlCall redis_call;
  redis_call.endpoint = link.endpoint;
  redis_call.prefix = link.prefix;
  redis_call.op = call.op;
  redis_call.args = call.args;
  redis_call.sender = bus::thisSender();
  return bus::callThroughRedis(redis_call, **contracts, clock);
}

}  // namespace

int callDaemon(const DaemonLink& link, const ControlCall& call) {
  Result<Json> result = link.through_redis ? callThroughRedis(link, call)
                                           : control::call(link.socket_path, call.op, call.args);
  if (!result) {
    std::cerr << "orion: " << result.status().message() << "\n";
    return exitCodeFor(result.status());
  }
  call.print(*result);
  return kExitOk;
}

int callDaemon(const GlobalOptions& global, const ControlCall& call) {
  auto link = resolveDaemonLink(global, call.op);
  if (!link) {
    std::cerr << link.status().message() << "\n";
    return kExitInvalid;
  }
  return callDaemon(*link, call);
}

}  // namespace orion::cli
