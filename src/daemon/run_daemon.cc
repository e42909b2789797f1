// runDaemon: the process around the Supervisor — signals, the live summary, exit codes.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>

#include "common/startup_pages.h"
#include "config/config.h"
#include "daemon/console.h"
#include "daemon/signals.h"
#include "daemon/supervisor.h"

namespace orion::daemon {

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitInvalid = 2;

// How often the main thread wakes up to poll `stop_requested` and refresh the summary.
constexpr std::chrono::milliseconds kPollInterval{100};
// Past the budget, a shutdown that still has not finished is abandoned after this much more:
// 4.5 s + 0.4 s keeps the whole exit under the 5 s a service manager waits before SIGKILL.
constexpr std::chrono::milliseconds kHardStopGrace{400};
// By then every module has started and run its first round (the watcher's first sample, the
// first state writes): what start-up mapped and idle does not use is given back
// (common/startup_pages.h).
constexpr std::chrono::seconds kReleaseStartupPagesAfter{3};

ConsoleHeader headerFor(const config::Config& config, std::string_view bus_kind) {
  std::filesystem::path audit(config.memory.audit_dir);
  if (audit.is_relative()) audit = std::filesystem::path(config.state_dir) / audit;
  return ConsoleHeader{config.node.name, std::string(config::toString(config.brain.autonomy_level)),
                       std::string(bus_kind), config.state_dir, audit.string()};
}

// SIGHUP: the same operation `orion policy reload` asks for over the control socket, on behalf
// of the daemon's own user. The brain keeps its current policy when the new one is invalid.
void reloadPolicy(Supervisor& supervisor, Logger& log) {
  control::Request request{"policy.reload", Json::object(), control::selfPeer()};
  auto result = supervisor.control().dispatch(request);
  if (result.isOk()) {
    log->info("SIGHUP: policy reloaded: {}", result->value("summary", ""));
  } else {
    log->error("SIGHUP: policy not reloaded (the current one stays): {}",
               result.status().message());
  }
}

void releaseStartupPagesOnce(Logger& log) {
  auto released = releaseStartupPages();
  if (!released.isOk()) {
    log->warn("start-up pages kept: {}", released.status().message());
  } else if (released->traced) {
    log->debug("start-up pages kept: a tracer is attached");
  } else {
    log->debug("released {:.1f} MiB of start-up pages from {} mappings",
               static_cast<double>(released->resident_bytes) / (1024.0 * 1024.0),
               released->mappings);
  }
}

}  // namespace

int runDaemon(const config::Config& config, const RunOptions& options,
              std::atomic<bool>* stop_requested) {
  // Before any thread exists, so every thread inherits the blocked mask and only the waits below
  // ever see SIGINT/SIGTERM.
  ShutdownSignals signals;
  Logger log = makeLogger("daemon");
  RealClock clock;

  Supervisor supervisor(config, options, clock);
  if (Status built = supervisor.build(); !built.isOk()) {
    log->error("cannot start: {}", built.message());
    if (built.code() == StatusCode::kInvalidArgument) {
      std::fprintf(stderr, "orion: %s\n", built.message().c_str());
      return kExitInvalid;
    }
    return kExitFailure;
  }

  Console* console = nullptr;
  if (options.live_summary && isatty(STDOUT_FILENO)) {
    auto owned = std::make_unique<Console>(
        supervisor.context(), headerFor(supervisor.config(), supervisor.bus()->kind()), std::cout);
    console = owned.get();
    supervisor.addObserver(std::move(owned));
  }

  if (Status started = supervisor.start(); !started.isOk()) {
    log->error("cannot start: {}", started.message());
    return kExitFailure;
  }
  log->info("orion running on {} (autonomy {}, {} bus, state {})", supervisor.config().node.name,
            config::toString(config.brain.autonomy_level), supervisor.bus()->kind(),
            config.state_dir);

  int received = 0;
  MonoTime release_startup_pages_at = clock.monotonic() + kReleaseStartupPagesAfter;
  bool startup_pages_released = false;
  while (!ShutdownSignals::isShutdown(received)) {
    if (stop_requested != nullptr && stop_requested->load()) break;
    if (!startup_pages_released && clock.monotonic() >= release_startup_pages_at) {
      releaseStartupPagesOnce(log);
      startup_pages_released = true;
    }
    if (console != nullptr) console->tick();
    received = signals.wait(kPollInterval);
    if (received == SIGHUP) reloadPolicy(supervisor, log);
  }
  log->info(
      "{}: shutting down (budget {} ms)",
      ShutdownSignals::isShutdown(received) ? ShutdownSignals::name(received) : "stop requested",
      options.shutdown_budget.count());

  Status stopped;
  {
    ShutdownGuard guard(signals, clock, options.shutdown_budget, kHardStopGrace);
    stopped = supervisor.stop();
  }
  if (!stopped.isOk()) {
    log->error("{}", stopped.message());
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace orion::daemon
