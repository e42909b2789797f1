// The supervisor: builds the bus and every module from the Config, starts them from memory back to
// the watcher (so nothing is published before its consumers exist) and stops them in pipeline
// order (watcher first), draining each stage before stopping the next, within a deadline.
//
// runDaemon() is what `orion run` calls: it owns the process-wide parts (signal handling, the live
// summary on a terminal) and drives a Supervisor, which owns the module lifetimes and nothing
// process-wide, so tests can drive it directly. All of it runs on the caller's (main) thread; the
// modules own their own threads.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bus/bus.h"
#include "bus/module_context.h"
#include "bus/redis_control.h"
#include "common/clock.h"
#include "common/logging.h"
#include "common/metrics.h"
#include "common/service.h"
#include "common/status.h"
#include "config/config.h"
#include "control/control.h"
#include "control/server.h"

namespace orion::daemon {

struct RunOptions {
  std::vector<std::string> modules;  // empty: all; else a subset of watcher, guardian, brain,
                                     // approval, commander, memory, api
  bool live_summary = true;          // print the readable live view on a terminal
  std::chrono::milliseconds shutdown_budget{4500};
  bool control_socket = true;  // serve <state_dir>/control.sock (control/control.h)
};

// Runs until SIGINT/SIGTERM (or `stop_requested` becomes true); SIGHUP reloads the policy (the
// control operation policy.reload, as `orion policy reload` does). Returns the process exit code:
// 0 after a clean shutdown, 2 when the configuration cannot run (e.g. an unknown module name),
// 1 when the bus or a module failed to start (e.g. Redis refused the credentials) or the
// shutdown overran. A second SIGINT/SIGTERM during
// shutdown ends the process at once with exit code 1.
int runDaemon(const config::Config& config, const RunOptions& options,
              std::atomic<bool>* stop_requested = nullptr);

// ---- the pieces runDaemon is made of (also used by tests) -----------------------------------

// Every module name in start order: memory, commander, approval, brain, guardian, watcher, api.
// They are stopped in the reverse order (api, then the pipeline from the watcher on).
const std::vector<std::string_view>& moduleNames();

// OK when every name is one of moduleNames(); otherwise kInvalidArgument naming the unknown ones
// and listing the valid names.
Status checkModuleNames(const std::vector<std::string>& names);

// Builds one module from the configuration and the context the supervisor gives it.
using ModuleFactory = std::function<std::unique_ptr<Service>(const config::Config&, ModuleContext)>;
using ModuleFactories = std::map<std::string, ModuleFactory, std::less<>>;

// The real modules, keyed by moduleNames().
ModuleFactories builtinModules();

// Owns the bus, the metrics registry and the modules of one run.
class Supervisor {
 public:
  // `clock` must outlive the supervisor. `factories` defaults to the real modules; tests replace
  // them to observe the order of starts and stops.
  Supervisor(config::Config config, RunOptions options, const Clock& clock,
             ModuleFactories factories = builtinModules());
  ~Supervisor();  // stops whatever is still running, with an immediate deadline
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;

  // Checks that the configuration can run in this build, creates the state directory (mode
  // 0700), loads the contract registry, creates the bus (embedded, or Redis when bus.url is set:
  // connecting once; an unreachable Redis is not an error, the bus starts degraded) and builds
  // (does not start) the selected modules (all, or RunOptions::modules; the API only when
  // api.enabled is also true). Starts no thread of its own. Errors: kInvalidArgument for a
  // configuration this build cannot run (a rediss:// URL, an unknown module name) — nothing has
  // been created then; kPermissionDenied when Redis refuses the credentials; otherwise the
  // Status of what failed, with context.
  Status build();

  // Adds a service that only observes the bus (the live summary): it starts before the modules
  // and stops after them. Call between build() and start().
  void addObserver(std::unique_ptr<Service> observer);

  // Starts the observers, then the modules from memory to the watcher (the API last), then the
  // control socket (RunOptions::control_socket) once every module registered its operations. On
  // the first failure stops what already started and returns that failure, naming the module.
  // A control socket another daemon already serves is such a failure; one that cannot be created
  // (e.g. a state_dir path too long for a unix socket) is logged and ORION runs without it.
  Status start();

  // Stops the control socket, then the rest in pipeline order (the API, then watcher → guardian →
  // brain → approval → commander → memory, then the observers). Each service gets a share of what
  // is left of the shutdown budget as its deadline, so time a fast stage does not use passes on to
  // the next. Returns kDeadlineExceeded, naming the slowest service, when the whole shutdown
  // overran the budget. Idempotent: a second call returns OK at once.
  Status stop();

  // The context modules receive (valid after build()).
  ModuleContext context();
  bus::Bus* bus() { return bus_.get(); }
  MetricsRegistry& metrics() { return metrics_; }
  // The operations the modules registered (the control socket serves them; the daemon calls
  // policy.reload itself on SIGHUP).
  control::Router& control() { return control_router_; }
  const config::Config& config() const { return config_; }
  // The names of the services started so far, in start order ("console" for an observer named
  // so); emptied by stop().
  std::vector<std::string> running() const;

 private:
  struct Entry {
    std::string name;
    std::unique_ptr<Service> service;
    bool observer = false;
  };
  bool selected(std::string_view name) const;

  config::Config config_;
  RunOptions options_;
  const Clock& clock_;
  ModuleFactories factories_;
  MetricsRegistry metrics_;
  control::Router control_router_;
  std::unique_ptr<control::Server> control_server_;
  std::unique_ptr<bus::Bus> bus_;
  std::shared_ptr<const contracts::ContractRegistry> contracts_;
  // With a Redis bus: the control operations served to `orion` CLIs through Redis
  // (bus/redis_control.h), started after the socket, stopped before it.
  std::optional<bus::RedisControlServerOptions> redis_control_options_;
  std::unique_ptr<bus::RedisControlServer> redis_control_;
  std::vector<Entry> entries_;   // start order: observers, then modules memory → watcher → api
  std::vector<Entry*> started_;  // in start order
  Logger log_;
};

// Where bus.url's Redis is and how to log in (with the bus's timeouts): what the Redis bus and
// the CLI's control channel through Redis connect to. kInvalidArgument for a bad bus.url.
Result<bus::RedisEndpoint> redisEndpointFor(const config::BusConfig& bus);

}  // namespace orion::daemon
