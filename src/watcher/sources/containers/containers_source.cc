#include "watcher/sources/containers/containers_source.h"

#include <set>

#include "common/thread_name.h"
#include "common/time.h"

namespace orion::watcher::containers {
namespace {

using contracts::EventSeverity;
using namespace std::chrono_literals;

constexpr Duration kFirstBackoff = 100ms;
constexpr Duration kMaxBackoff = 5s;

// Engine event attributes that are not container labels.
bool isEventAttribute(const std::string& key) {
  static const std::set<std::string> kKnown = {
      "name", "image", "exitCode", "signal", "podId", "containerExitCode", "health_status"};
  return kKnown.count(key) > 0;
}

}  // namespace

std::vector<double> eventHandlingBuckets() {
  return {10e-6,  25e-6, 50e-6, 100e-6, 250e-6, 500e-6, 1e-3,
          2.5e-3, 5e-3,  10e-3, 25e-3,  50e-3,  100e-3};
}

ContainersSource::ContainersSource(config::ContainersSourceConfig config, SourceContext context,
                                   std::map<std::string, std::string> environment)
    : config_(std::move(config)),
      context_(std::move(context)),
      environment_(std::move(environment)),
      selector_(config_.select_labels, config_.select_names),
      engine_(std::string(kEventSource), context_, "container-engine", 2, 1),
      watched_(context_.metrics.gauge("orion_watcher_containers_watched",
                                      "Containers the source watches",
                                      {{"source", context_.instance}})),
      down_(context_.metrics.gauge("orion_watcher_containers_down",
                                   "Watched containers announced down",
                                   {{"source", context_.instance}})),
      connected_gauge_(context_.metrics.gauge("orion_watcher_containers_stream_connected",
                                              "1 while the engine's event stream is connected",
                                              {{"source", context_.instance}})),
      engine_events_(context_.metrics.counter("orion_watcher_containers_engine_events_total",
                                              "Container events read from the engine",
                                              {{"source", context_.instance}})),
      reconnects_(context_.metrics.counter("orion_watcher_containers_reconnects_total",
                                           "Times the event stream was connected again",
                                           {{"source", context_.instance}})),
      handling_(
          context_.metrics.histogram("orion_watcher_containers_event_handling_seconds",
                                     "From reading an engine event to publishing what it means",
                                     {{"source", context_.instance}}, eventHandlingBuckets())),
      exit_watches_(
          context_.metrics.gauge("orion_watcher_containers_exit_watches",
                                 "Container main processes watched by pidfd for their exit",
                                 {{"source", context_.instance}})),
      exit_code_unknown_(
          context_.metrics.counter("orion_watcher_containers_exit_code_unknown_total",
                                   "Exits the process-exit watch announced without their exit code",
                                   {{"source", context_.instance}})),
      exit_watch_([this](const std::string& id, int pid, std::optional<int> exit_code) {
        onProcessExit(id, pid, exit_code);
      }) {
  engine_.useApiEventTypes();
  for (std::string_view via : {"pidfd", "engine_event", "resync"}) (void)announcedVia(via);
}

Counter& ContainersSource::announcedVia(std::string_view via) {
  return context_.metrics.counter("orion_watcher_containers_down_announced_total",
                                  "service_down events published, by what saw the change first",
                                  {{"source", context_.instance}, {"via", std::string(via)}});
}

ContainersSource::~ContainersSource() { stop(); }

Result<std::string> ContainersSource::socketPath() const {
  if (!config_.socket.empty()) return docker::socketPathOf(config_.socket);
  return docker::detectSocket(environment_, docker::isSocket);
}

Status ContainersSource::start() {
  if (thread_.joinable()) return Status::ok();
  if (config_.exit_watch) {
    Status watching = exit_watch_.start();
    exit_watch_usable_ = watching.isOk();
    if (!watching) noteExitWatchUnavailable(watching);
  }
  cancel_.reset();
  thread_ = std::thread([this] {
    nameThisThread("watch-engine");
    eventLoop();
  });
  return Status::ok();
}

void ContainersSource::stop() {
  cancel_.cancel();
  if (thread_.joinable()) thread_.join();
  exit_watch_.stop();
}

void ContainersSource::eventLoop() {
  Duration backoff = kFirstBackoff;
  bool ever_connected = false;
  while (!cancel_.cancelled()) {
    Result<std::string> path = socketPath();
    Status status = path.status();
    if (path) {
      docker::DockerClient client(*path, context_.clock, config_.request_timeout);
      docker::DockerClient::EventOptions options;
      {
        std::lock_guard lock(mutex_);
        if (last_event_seconds_ > 0) options.since_unix_seconds = last_event_seconds_;
      }
      status = client.streamEvents(
          options,
          [&] {
            stream_connected_ = true;
            connected_gauge_.set(1);
            backoff = kFirstBackoff;
            if (ever_connected) reconnects_.inc();
            ever_connected = true;
            context_.logger->info("watching container events on {}", *path);
            // Whatever happened while we were not listening is healed by a resync now.
            Status synced = resync(context_.clock.now());
            if (!synced) context_.logger->warn("resync after connecting: {}", synced.toString());
          },
          [&](const docker::EngineEvent& event) {
            MonoTime read = context_.clock.monotonic();
            onEngineEvent(event);
            handling_.observe(
                std::chrono::duration<double>(context_.clock.monotonic() - read).count());
            const std::string& action = event.action;
            if (action == "start" || action == "restart" || action == "unpause") {
              watchExitOf(client, event.id, 0);  // the new process
            }
          },
          cancel_);
    }
    bool was_connected = stream_connected_.exchange(false);
    connected_gauge_.set(0);
    if (cancel_.cancelled()) break;
    std::string error = status.isOk() ? "the engine closed the event stream" : status.toString();
    {
      std::lock_guard lock(mutex_);
      if (error != last_stream_error_ || was_connected) {
        context_.logger->warn("container engine: {} (retrying)", error);
        last_stream_error_ = error;
      }
      reportEngine(false, error, context_.clock.now());
    }
    // Waits on the cancellation itself, so stop() is not delayed by the back-off.
    if (cancel_.waitFor(backoff)) break;
    backoff = std::min<Duration>(backoff * 2, kMaxBackoff);
  }
}

void ContainersSource::onEngineEvent(const docker::EngineEvent& event) {
  engine_events_.inc();
  if (event.type != "container" && !event.type.empty()) return;
  if (event.id.empty()) return;
  WallTime now = context_.clock.now();
  std::lock_guard lock(mutex_);
  reportEngine(true, "", now);
  if (event.time_nano > 0) last_event_seconds_ = event.time_nano / 1'000'000'000;
  const std::string& action = event.action;
  if (action == "destroy" || action == "remove") {
    exit_watch_.unwatch(event.id);
    containers_.erase(event.id);
    updateGauges();
    return;
  }
  auto [it, fresh] = containers_.try_emplace(event.id);
  Tracked& tracked = it->second;
  if (fresh || tracked.name.empty()) {
    tracked.name = event.name;
    tracked.image = event.image;
    for (const auto& [key, value] : event.attributes) {
      if (!isEventAttribute(key)) tracked.labels[key] = value;
    }
  }
  tracked.last_event = ++event_counter_;
  if (!selector_.matches(tracked.name, tracked.labels)) return;

  std::string health_status;
  if (action.rfind("health_status", 0) == 0) {
    size_t colon = action.find(':');
    health_status = colon == std::string::npos ? "" : action.substr(colon + 2);
    if (health_status.empty()) {
      auto attribute = event.attributes.find("health_status");
      if (attribute != event.attributes.end()) health_status = attribute->second;
    }
  }
  // podman delivers events late (its file backend): a start from before an exit the exit watch
  // already announced is old news, and must not make the dead container up again.
  bool before_exit = event.time_nano > 0 && event.time_nano < tracked.exit_seen_nano;
  if (action == "oom") {
    tracked.oom_killed = true;
  } else if (action == "die" && tracked.die_pending) {
    // The exit the exit watch announced (maybe before a resync saw the container running again):
    // only its exit code is news, and a new process may be watched already.
    tracked.die_pending = false;
    if (event.exit_code) {
      context_.logger->info("container {} exited with code {}", tracked.name, *event.exit_code);
      if (tracked.announced == kDown) tracked.exit_code = event.exit_code;
    }
  } else if (action == "die") {
    exit_watch_.unwatch(event.id);
    tracked.watched_pid = 0;
    tracked.exit_code = event.exit_code;
    tracked.exited_at = event.time_nano > 0
                            ? formatRfc3339(WallTime(std::chrono::duration_cast<WallTime::duration>(
                                  std::chrono::nanoseconds(event.time_nano))))
                            : "";
    apply(event.id, tracked, {true, "exited", EventSeverity::kError, "engine_event"}, now);
  } else if (before_exit) {
    // nothing: see above
  } else if (action == "start" || action == "restart" || action == "unpause") {
    tracked.die_pending = false;  // the engine's events are in order: its die came before
    tracked.oom_killed = false;
    tracked.health.clear();
    if (action == "restart") ++tracked.restart_count;
    apply(event.id, tracked, {false, "started", EventSeverity::kInfo, "engine_event"}, now);
  } else if (health_status == "unhealthy") {
    tracked.health = health_status;
    apply(event.id, tracked, {true, "unhealthy", EventSeverity::kWarning, "engine_event"}, now);
  } else if (health_status == "healthy") {
    tracked.health = health_status;
    apply(event.id, tracked, {false, "healthy", EventSeverity::kInfo, "engine_event"}, now);
  }
  updateGauges();
}

Status ContainersSource::sample(WallTime now) {
  Status status = resync(now);
  if (!status) {
    std::lock_guard lock(mutex_);
    reportEngine(false, status.message(), now);
  }
  return status;
}

Status ContainersSource::resync(WallTime now) {
  std::lock_guard resync_lock(resync_mutex_);
  Result<std::string> path = socketPath();
  if (!path) return path.status();
  docker::DockerClient client(*path, context_.clock, config_.request_timeout);
  uint64_t started_at;
  {
    std::lock_guard lock(mutex_);
    started_at = event_counter_;
  }
  Result<std::vector<docker::ContainerSummary>> list = client.listContainers(true);
  if (!list) return list.status();
  std::map<std::string, docker::ContainerDetails> watched;
  std::set<std::string> uninspected;  // listed, but the inspect failed: not gone
  Status first_error;
  for (const docker::ContainerSummary& summary : *list) {
    if (!selector_.matches(summary.name, summary.labels)) continue;
    Result<docker::ContainerDetails> details = client.inspectContainer(summary.id);
    if (!details) {
      // Removed between the list and the inspect: not an error worth reporting.
      if (details.status().code() != StatusCode::kNotFound) {
        uninspected.insert(summary.id);
        if (first_error.isOk()) first_error = details.status();
      }
      continue;
    }
    watched.emplace(summary.id, std::move(details).value());
  }
  std::vector<std::pair<std::string, int>> to_watch;  // running, with a pid not yet watched
  {
    std::lock_guard lock(mutex_);
    applyResync(watched, uninspected, started_at, now, to_watch);
  }
  for (const auto& [id, pid] : to_watch) watchExitOf(client, id, pid);
  return first_error;
}

void ContainersSource::applyResync(const std::map<std::string, docker::ContainerDetails>& watched,
                                   const std::set<std::string>& uninspected, uint64_t started_at,
                                   WallTime now,
                                   std::vector<std::pair<std::string, int>>& to_watch) {
  reportEngine(true, "", now);
  for (auto it = containers_.begin(); it != containers_.end();) {
    bool gone = watched.count(it->first) == 0 && uninspected.count(it->first) == 0 &&
                it->second.last_event <= started_at;
    if (gone) exit_watch_.unwatch(it->first);
    it = gone ? containers_.erase(it) : std::next(it);
  }
  for (const auto& [id, details] : watched) {
    Tracked& tracked = containers_[id];
    // An engine event (or an exit) since the list was taken is newer than what the list says.
    if (tracked.last_event > started_at) continue;
    // An engine slower than the kernel may still call a process running that we saw end.
    if (details.running && tracked.die_pending && details.pid == tracked.exited_pid) continue;
    if (details.running && details.pid > 0 && tracked.watched_pid != details.pid) {
      to_watch.emplace_back(id, details.pid);
    }
    tracked.name = details.summary.name;
    tracked.image = details.summary.image;
    tracked.labels = details.summary.labels;
    tracked.health = details.health;
    tracked.restart_count = details.restart_count;
    tracked.oom_killed = details.oom_killed;
    const std::string& state = details.summary.state;
    if (details.running && details.health == "unhealthy") {
      apply(id, tracked, {true, "unhealthy", EventSeverity::kWarning, "resync"}, now);
    } else if (details.running) {
      apply(id, tracked, {false, "resync", EventSeverity::kInfo, "resync"}, now);
    } else if (state == "exited" || state == "dead" || state == "restarting") {
      tracked.exit_code = details.exit_code;
      tracked.exited_at = details.finished_at;
      apply(
          id, tracked,
          {true, state == "restarting" ? "restarting" : "exited", EventSeverity::kError, "resync"},
          now);
    }
    // created / paused / removing: neither up nor down yet; wait for the next change.
  }
  updateGauges();
}

void ContainersSource::apply(const std::string& id, Tracked& tracked,
                             const Observation& observation, WallTime now) {
  int wanted = observation.down ? kDown : kUp;
  if (tracked.announced == wanted) return;
  if (!observation.down && tracked.announced == kUnknown) {
    tracked.announced = kUp;  // first seen and fine: nothing to tell
    return;
  }
  Json details{{"container_id", id},
               {"image", tracked.image},
               {"health", tracked.health.empty() ? Json(nullptr) : Json(tracked.health)},
               {"restart_count", tracked.restart_count},
               {"oom_killed", tracked.oom_killed},
               {"reason", observation.reason},
               {"exit_code", tracked.exit_code ? Json(*tracked.exit_code) : Json(nullptr)}};
  if (observation.down && !tracked.exited_at.empty() && observation.reason != "unhealthy") {
    details["exited_at"] = tracked.exited_at;
  }
  contracts::Event event = makeServiceEvent(kEventSource, context_.node, observation.down,
                                            tracked.name, observation.severity, details, now);
  if (!context_.publisher.publish(event).isOk()) return;  // retried at the next resync
  tracked.announced = wanted;
  if (observation.down) {
    announcedVia(observation.via).inc();
    context_.logger->warn(
        "container {} is down ({}{})", tracked.name, observation.reason,
        tracked.exit_code ? ", exit code " + std::to_string(*tracked.exit_code) : "");
  } else {
    context_.logger->info("container {} is up again", tracked.name);
  }
}

void ContainersSource::reportEngine(bool ok, const std::string& error, WallTime now) {
  Json details{{"api", "container-engine"}};
  if (Result<std::string> path = socketPath()) details["target"] = *path;
  if (!ok) details["error"] = error;
  (void)engine_.report(ok, std::move(details), now);
  if (ok) last_stream_error_.clear();
}

void ContainersSource::updateGauges() {
  int64_t watched = 0;
  int64_t down = 0;
  for (const auto& [id, tracked] : containers_) {
    if (!selector_.matches(tracked.name, tracked.labels)) continue;
    ++watched;
    down += tracked.announced == kDown ? 1 : 0;
  }
  watched_.set(static_cast<double>(watched));
  down_.set(static_cast<double>(down));
  exit_watches_.set(static_cast<double>(exit_watch_.size()));
}

void ContainersSource::watchExitOf(const docker::DockerClient& client, const std::string& id,
                                   int pid) {
  if (!exit_watch_usable_) return;
  if (pid <= 0) {
    Result<docker::ContainerDetails> details = client.inspectContainer(id);
    if (!details || !details->running || details->pid <= 0) return;
    pid = details->pid;
  }
  {
    std::lock_guard lock(mutex_);
    auto it = containers_.find(id);
    const Tracked* tracked = it == containers_.end() ? nullptr : &it->second;
    if (!tracked || tracked->watched_pid == pid ||
        (tracked->die_pending && tracked->exited_pid == pid) ||
        !selector_.matches(tracked->name, tracked->labels)) {
      return;
    }
  }
  Result<PidFd> process = ExitWatch::openProcess(pid);
  Status usable = process ? checkContainerProcess(pid) : process.status();
  if (!usable) {
    noteExitWatchUnavailable(usable);
    return;
  }
  // The pid was read before the pidfd held the process: if the engine still runs the container
  // with that pid now, the pidfd holds the container's process and not a later one's.
  Result<docker::ContainerDetails> again = client.inspectContainer(id);
  if (!again || !again->running || again->pid != pid) return;
  std::lock_guard lock(mutex_);
  auto it = containers_.find(id);
  if (it == containers_.end()) return;
  it->second.watched_pid = pid;
  if (Status watching = exit_watch_.watch(id, pid, std::move(process).value()); !watching) {
    it->second.watched_pid = 0;
    noteExitWatchUnavailable(watching);
  }
  updateGauges();
}

void ContainersSource::onProcessExit(const std::string& id, int pid, std::optional<int> exit_code) {
  WallTime now = context_.clock.now();
  std::lock_guard lock(mutex_);
  auto it = containers_.find(id);
  if (it != containers_.end() && it->second.watched_pid == pid) {
    Tracked& tracked = it->second;
    tracked.watched_pid = 0;
    tracked.exited_pid = pid;
    tracked.die_pending = true;
    tracked.exit_seen_nano =
        std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
    tracked.last_event = ++event_counter_;  // newer than a resync's list taken before the exit
    if (tracked.announced != kDown) {
      tracked.exit_code = exit_code;  // when unknown, the engine's die event brings it later
      tracked.exited_at = formatRfc3339(now);
      if (!exit_code) exit_code_unknown_.inc();
    }
    apply(id, tracked, {true, "exited", EventSeverity::kError, "pidfd"}, now);
  }
  updateGauges();
}

void ContainersSource::noteExitWatchUnavailable(const Status& why) {
  if (exit_watch_fallback_logged_.exchange(true)) return;
  context_.logger->debug("no process-exit watch ({}); the engine's events announce exits",
                         why.toString());
}

}  // namespace orion::watcher::containers
