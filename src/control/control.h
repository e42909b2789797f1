// The local control channel: how an admin on the host talks to a running ORION (`orion autonomy
// set`, `orion policy reload`, `orion approve`). A unix socket at
// `<state_dir>/control.sock` (mode 0600, in the 0700 state directory) carries one JSON request
// and one JSON response per connection:
//
//   → {"op": "autonomy.set", "args": {"level": "N2", "reason": "..."}}\n
//   ← {"ok": true, "result": {...}}\n        or   {"ok": false, "error": {"code": "...",
//                                                   "message": "..."}}\n
//
// Who asked is never a field of the request: it is the peer's credentials from the kernel
// (SO_PEERCRED), so a caller cannot claim to be someone else. Only the daemon's own user and root
// may use the socket. Approval answers (`approvals.answer`) additionally carry a document signed
// with the admin key (signing/approval_signature.h), which the approval coordinator verifies.
//
// Modules register operations by name with a Registry (ModuleContext::control) when they start
// and unregister them when they stop; the daemon owns the Router and the Server (server.h). The
// CLI uses call() (client.h).
#pragma once

#include <sys/types.h>

#include <functional>
#include <map>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"
#include "common/status.h"

namespace orion::control {

// The process at the other end of the socket, as the kernel reports it.
struct Peer {
  uid_t uid = 0;
  gid_t gid = 0;
  pid_t pid = 0;
  std::string user;  // the uid's login name, "" when it has none
  // How the request arrived when not over the control socket, e.g. "http 127.0.0.1:51234 (admin
  // token)" for the HTTP API; "" for the socket. Part of describe().
  std::string via;
  // Who a front end other than the socket authenticated, as approval answers name them
  // (admin_identity), e.g. "api:admin@127.0.0.1" for the HTTP API's admin token. "" over the
  // socket, where who asks is the uid ("cli:<user>"). Only set in process: the socket server
  // never reads it from a request.
  std::string identity;

  // "uid 1000 (alice), pid 4242": how a person is named in audit records.
  std::string describe() const;
};

// The Peer of this process itself (for requests the daemon makes on its own, e.g. on SIGHUP).
Peer selfPeer();

struct Request {
  std::string op;
  Json args = Json::object();
  Peer peer;
};

// Runs one operation. Called on the control server's thread; must be thread-safe against the
// module's own threads, must not block for long (the client waits a few seconds) and must not
// register or unregister operations. An error Status is sent to the client with its code.
using Handler = std::function<Result<Json>(const Request& request)>;

// What a module sees: a place to register its operations.
class Registry {
 public:
  virtual ~Registry() = default;
  // kAlreadyExists when `op` is taken; kInvalidArgument for a name that is not
  // "<word>.<word>" of lower-case letters, digits and '_'.
  virtual Status registerOp(std::string op, std::string help, Handler handler) = 0;
  // Removes `op` (nothing if absent). Returns once no call of it is running any more, so a
  // module may release what its handler uses right after.
  virtual void unregisterOp(std::string_view op) = 0;
};

// The operations one module registered, so it can remove them together. With no registry (a
// module run without a control socket) add() does nothing and succeeds.
class OwnedOps {
 public:
  explicit OwnedOps(Registry* registry) : registry_(registry) {}
  Status add(std::string op, std::string help, Handler handler);
  // Unregisters every operation add() registered.
  void clear();

 private:
  Registry* registry_;
  std::vector<std::string> ops_;
};

// What a front end other than the control socket (the HTTP API) uses to run operations in
// process. Same contract as the socket: the handler's Result, or kNotFound for an unknown op.
class Dispatcher {
 public:
  virtual ~Dispatcher() = default;
  virtual Result<Json> dispatch(const Request& request) const = 0;
};

// The operations of one daemon, and their dispatch. Thread-safe.
class Router final : public Registry, public Dispatcher {
 public:
  Status registerOp(std::string op, std::string help, Handler handler) override;
  void unregisterOp(std::string_view op) override;

  // Runs the request's operation. Unknown operations are kNotFound listing the known ones; the
  // built-in "ops.list" returns {"ops": [{"op", "help"}...]}.
  Result<Json> dispatch(const Request& request) const override;

  std::vector<std::string> ops() const;

 private:
  struct Entry {
    std::string help;
    Handler handler;
  };
  mutable std::shared_mutex mutex_;  // shared while a handler runs, exclusive to (un)register
  std::map<std::string, Entry, std::less<>> ops_;
};

// The wire form of a response: {"ok": true, "result": …} or {"ok": false, "error": {code,
// message}}; and back (an error response becomes its Status).
Json responseFor(const Result<Json>& result);
Result<Json> resultOf(const Json& response);

}  // namespace orion::control
