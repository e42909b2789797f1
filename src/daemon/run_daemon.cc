// runDaemon: the process around the Supervisor — signals, the live summary, exit codes.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>

#include "common/clean_pages.h"
#include "config/config.h"
#include "daemon/console.h"
#include "daemon/page_release.h"
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

// Gives back the clean file pages start-up or a busy spell mapped (common/clean_pages.h) when
// `release` says so; `log` names what went.
void releaseCleanPagesIfDue(PageRelease& release, const Clock& clock, Logger& log) {
  if (!release.needsReading(clock.monotonic())) return;
  if (!release.shouldRelease(readProcess(clock.monotonic()))) return;
  auto released = releaseCleanPages();
  if (!released.isOk()) {
    log->warn("clean file pages kept: {}", released.status().message());
  } else if (released->traced) {
    log->debug("clean file pages kept: a tracer is attached");
  } else {
    log->debug("released {:.1f} MiB of clean file pages from {} mappings",
               static_cast<double>(released->resident_bytes) / (1024.0 * 1024.0),
               released->mappings);
  }
  release.released(readProcess(clock.monotonic()));
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
  PageRelease page_release(clock.monotonic());
  while (!ShutdownSignals::isShutdown(received)) {
    if (stop_requested != nullptr && stop_requested->load()) break;
    releaseCleanPagesIfDue(page_release, clock, log);
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
