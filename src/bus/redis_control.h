// The control channel through Redis: how `orion approvals`, `approve`, `deny` and `force` reach
// the ORION process that holds the operation (the approval coordinator on the core) from a host
// that runs no ORION of its own, or one whose local ORION lacks the module, with only the bus's
// Redis in common (docs/approvals.md, "Answering through Redis").
//
// Wire. The CLI writes one `control_request` document (contracts/control_request.schema.json) to
// "<prefix>:control_requests" (field `data`, approximate MAXLEN 1000) and waits on
// "<prefix>:control_responses:<request_id>" for one `control_response`, which the serving process
// writes there and lets expire after a minute. The response key is derived from the request id
// by the server, never named by the client, so a request cannot make a server write elsewhere.
// Both documents are validated when written and when read; a request that is not a valid
// control_request goes to "<prefix>:deadletters" with the reason.
//
// Serving. Every `orion run` on the Redis bus that holds such an operation follows the request
// stream from its end (XREAD, no consumer group: each process sees every request) and answers the
// requests for operations it has registered; an operation it does not have is left for the process
// that has it (no answer at all → the CLI's deadline). A request past its `expires_at` is never
// served.
//
// Authority. Redis cannot say who wrote an entry: `sender` is a claim. So only operations whose
// authority does not come from the caller are served: read-only ones (approvals.list,
// approvals.show, autonomy.show, ops.list) and approvals.answer, whose answer is signed with the
// admin key and verified by the coordinator (and again by the commander); its admin_identity must
// be "redis:<user>@<host>" of the sender. Every other operation (autonomy.set, policy.reload) is
// PERMISSION_DENIED: use the local socket or the HTTP API's admin token. Redis ACLs
// (deploy/redis/users.acl: user orion-cli) decide who may send requests at all.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "bus/bus.h"
#include "bus/redis_connection.h"
#include "bus/redis_link.h"
#include "bus/redis_reply.h"
#include "common/clock.h"
#include "common/json.h"
#include "common/logging.h"
#include "common/metrics.h"
#include "common/status.h"
#include "contracts/registry.h"
#include "control/control.h"

namespace orion::bus {

std::string controlRequestsKey(std::string_view prefix);  // "<prefix>:control_requests"
std::string controlResponseKey(std::string_view prefix, std::string_view request_id);

// Whether `op` may be served through Redis (see "Authority" above).
bool servedThroughRedis(std::string_view op);
// Whether a process with these operations has any to serve through Redis (ops.list, which every
// process has, does not count): a node running only the watcher and commander serves nothing and
// needs no rights on the control streams.
bool servesThroughRedis(const std::vector<std::string>& ops);

// Who sends a request, as it says.
struct ControlSender {
  std::string user;
  std::string host;
  int64_t pid = 0;
};
// This process: its login name (or "uid-N"), host name and pid.
ControlSender thisSender();
// The admin_identity an approval answer sent through Redis must carry: "redis:<user>@<host>".
std::string redisCallerIdentity(const ControlSender& sender);

struct RedisControlCall {
  RedisEndpoint endpoint;
  std::string prefix = "orion";
  std::string op;
  Json args = Json::object();
  ControlSender sender;
  Duration timeout = std::chrono::seconds(10);
};

// Sends one request and returns the first response's result, or its error with the server's
// code. kUnavailable when Redis cannot be reached, kPermissionDenied when Redis refuses the user
// (ACL), kDeadlineExceeded when no ORION process answered within the timeout.
Result<Json> callThroughRedis(const RedisControlCall& call,
                              const contracts::ContractRegistry& contracts, const Clock& clock);

struct RedisControlServerOptions {
  RedisEndpoint endpoint;
  std::string prefix = "orion";
  std::string node;  // named in each response
  ReconnectPolicy reconnect;
  Duration block = std::chrono::milliseconds(500);  // one XREAD's wait; bounds stop()
};

// Serves `router`'s operations to requests on the request stream, on a thread of its own.
// Deadletters are published on `bus`. Metrics: orion_control_redis_requests_total{outcome}
// (served, refused, expired, invalid, elsewhere).
class RedisControlServer {
 public:
  RedisControlServer(RedisControlServerOptions options, const control::Router& router,
                     const contracts::ContractRegistry& contracts, Bus& bus, const Clock& clock,
                     MetricsRegistry& metrics, Logger logger);
  ~RedisControlServer();
  RedisControlServer(const RedisControlServer&) = delete;
  RedisControlServer& operator=(const RedisControlServer&) = delete;

  // Starts the thread; Redis need not be reachable yet (it connects, and reconnects, by itself).
  void start();
  // Stops within about one `block`.
  void stop();

  // For tests: whether it has connected and knows where the request stream ends.
  bool following() const { return following_.load(); }

 private:
  struct Metrics;
  void run();
  // Reads and serves one batch; a transport error drops the connection.
  Status serveBatch(RedisConnection& connection);
  void serve(RedisConnection& connection, std::string_view entry_id, const StreamEntry& entry);
  void deadletter(std::string_view entry_id, std::string reason, const Json* document,
                  std::string_view raw);
  bool waitBackoff(Duration delay);

  const RedisControlServerOptions options_;
  const control::Router& router_;
  const contracts::ContractRegistry& contracts_;
  Bus& bus_;
  const Clock& clock_;
  Logger logger_;
  std::unique_ptr<Metrics> metrics_;
  const std::string requests_key_;

  std::string last_id_;  // the last entry read; "" until the stream's end is known
  std::unique_ptr<RedisConnection> connection_;
  std::atomic<bool> following_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace orion::bus
