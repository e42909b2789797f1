// How the CLI reaches a running ORION for one command (daemon_link.cc). Internal to the CLI.
#pragma once

#include <string>
#include <string_view>

#include "bus/redis_connection.h"
#include "cli/commands.h"
#include "common/status.h"

namespace orion::cli {

// How this CLI reaches the running ORION (daemon_link.cc): its control socket
// (<state_dir>/control.sock), or through the bus's Redis (bus/redis_control.h) when the config
// has a Redis bus.url and --via says redis, or --via auto finds no local ORION holding the
// operation. The caller's identity in a signed approval answer depends on which.
struct DaemonLink {
  bool through_redis = false;
  std::string socket_path;
  bus::RedisEndpoint endpoint;  // bus.url's, when through_redis
  std::string prefix;           // bus.stream_prefix
  // "cli:<user>" over the socket, "redis:<user>@<host>" through Redis.
  std::string caller_identity;
};
// The link for a command that runs `op` (auto mode asks the local socket whether it has it).
// Errors: the configuration is invalid; --via redis without a Redis bus.url.
Result<DaemonLink> resolveDaemonLink(const GlobalOptions& global, std::string_view op);

// callDaemon() over a link resolved once (both requests of an answer use the same one).
int callDaemon(const DaemonLink& link, const ControlCall& call);

}  // namespace orion::cli
