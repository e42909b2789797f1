// The control server: listens on the unix socket and hands each request to the Router (see
// control.h for the protocol). Owned by the daemon: started after the modules registered their
// operations, stopped before they stop.
//
// One thread accepts and serves connections one at a time: an admin channel needs no
// concurrency, and a slow or silent client is cut off after `io_timeout`. A request larger than
// `max_request_bytes`, not JSON, or without an "op" gets an error response, never a crash.
// Connections from a uid other than the daemon's own or root are refused (kPermissionDenied)
// before anything is dispatched.
#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <thread>

#include "common/clock.h"
#include "common/metrics.h"
#include "control/control.h"

namespace orion::control {

struct ServerOptions {
  std::filesystem::path socket_path;  // usually socketPathFor(state_dir)
  Duration io_timeout = std::chrono::seconds(2);
  size_t max_request_bytes = 64 * 1024;
};

class Server {
 public:
  // `router`, `clock` and `metrics` must outlive the server.
  Server(ServerOptions options, const Router& router, const Clock& clock, MetricsRegistry& metrics);
  ~Server();  // stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Creates the socket (mode 0600) and starts serving. A stale socket file left by a crashed
  // daemon is replaced; one another process still serves is kFailedPrecondition ("another ORION
  // is using …"); a path too long for a unix socket or a bind error is kUnavailable, naming it.
  Status start();

  // Stops serving, joins the thread and removes the socket file. Idempotent.
  void stop();

  const std::filesystem::path& socketPath() const { return options_.socket_path; }

 private:
  void serve();
  void handle(int connection);

  ServerOptions options_;
  const Router& router_;
  const Clock& clock_;
  Counter& requests_;
  Counter& refused_;
  Counter& errors_;
  int listen_fd_ = -1;
  int wake_fd_ = -1;
  std::thread thread_;
};

}  // namespace orion::control
