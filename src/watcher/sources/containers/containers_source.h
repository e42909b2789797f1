// `type: containers`: the containers of a Docker Engine (Docker's or podman's API on a unix
// socket, `socket:` or autodetected, see docker/docker_client.h).
//
// Three threads:
//   * its own event thread subscribes to the engine's event stream and turns `die` (and `oom`
//     before it), `health_status: unhealthy|healthy`, `start`, `restart` of a watched container
//     into `service_down` / `service_up` at once. When the stream breaks (the engine restarted)
//     it reconnects with back-off (100 ms doubling to 5 s), replaying events since the last one
//     it saw, and resyncs;
//   * the exit watch's thread (exit_watch.h) holds a pidfd of every watched, running container's
//     main process (State.Pid) and announces its exit the moment the kernel ends it — podman's
//     file events backend delivers `die` 0–250 ms later. Such a `service_down` has the
//     `exit_code` the kernel kept for the pidfd (exit_status.h; Linux 6.15+, or the zombie's
//     /proc stat on older kernels while the parent has not reaped it yet: null when neither can
//     tell, counted in _exit_code_unknown_total) and `exited_at` the time the watch saw the
//     exit; the later `die` event and resyncs find the container already announced down and
//     publish nothing more (the die event's exit code is logged). A watch is
//     armed when the container is seen running (a resync, a start/restart event): the pid from
//     inspect is opened with pidfd_open and confirmed by a second inspect (same pid, still
//     running) before it is watched, so a reused pid is never watched. Where no pidfd can be had
//     (ORION in a container or the engine on another host: ESRCH, or a process in ORION's own
//     pid namespace; EPERM), or with `exit_watch: false`, the source says so once at debug and
//     the engine's events announce exits as before;
//   * the sampling thread resyncs every interval: lists every container, inspects the watched
//     ones (state, exit code, health, restart count, pid) and announces whatever changed without
//     an event reaching us (missed events, and health on engines that send no health_status
//     events, such as podman 4).
// A container seen for the first time is announced only if it is down (not running, or
// unhealthy); an up container needs no news. Event data: {node, service_name (the container's
// name), state, container_id, image, exit_code, exited_at, health, restart_count, oom_killed,
// reason}
// where reason is exited | unhealthy | restarting | started | healthy | resync. Source
// "orion-watcher-containers". An engine that cannot be reached is `external_api_failure`
// (service_name "container-engine"), then `external_api_success` when it is back.
// Metrics: orion_watcher_containers_watched{source}, _down{source},
// _stream_connected{source}, _engine_events_total{source}, _reconnects_total{source},
// _event_handling_seconds{source} (an engine event read → its service event published),
// _exit_watches{source} (processes watched by pidfd), _down_announced_total{source,via}
// (service_down published, via pidfd | engine_event | resync) and _exit_code_unknown_total{source}
// (exits the exit watch announced without their code).
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "config/config.h"
#include "docker/cancellation.h"
#include "docker/docker_client.h"
#include "watcher/service_events.h"
#include "watcher/source.h"
#include "watcher/sources/containers/exit_watch.h"
#include "watcher/sources/containers/selector.h"

namespace orion::watcher::containers {

inline constexpr std::string_view kEventSource = "orion-watcher-containers";

class ContainersSource final : public Source {
 public:
  // `environment` is where DOCKER_HOST and XDG_RUNTIME_DIR are looked up when no socket is set.
  ContainersSource(config::ContainersSourceConfig config, SourceContext context,
                   std::map<std::string, std::string> environment);
  ~ContainersSource() override;

  std::string_view type() const override { return "containers"; }
  Duration interval() const override { return config_.interval; }
  Status start() override;
  void stop() override;
  // A full resync (see above). Errors: the engine could not be listed.
  Status sample(WallTime now) override;

  // For tests: whether the event stream is connected right now.
  bool streamConnected() const { return stream_connected_.load(); }

 private:
  enum State { kUnknown = -1, kUp = 0, kDown = 1 };
  struct Tracked {
    std::string name;
    std::string image;
    std::map<std::string, std::string> labels;
    int announced = kUnknown;
    std::string health;
    std::optional<int> exit_code;
    std::string exited_at;  // the engine's time of the last exit (RFC 3339), "" when unknown
    int64_t restart_count = 0;
    bool oom_killed = false;
    uint64_t last_event = 0;     // event_counter_ when an engine event (or an exit) last touched it
    int watched_pid = 0;         // the main process the exit watch holds, 0 when none
    int exited_pid = 0;          // the last main process the exit watch saw end
    int64_t exit_seen_nano = 0;  // when (Unix ns) the exit watch saw it end
    bool die_pending = false;    // the engine's die event for that exit has not come yet
  };
  struct Observation {
    bool down = false;
    std::string reason;
    contracts::EventSeverity severity = contracts::EventSeverity::kInfo;
    std::string_view via;  // what saw it: pidfd | engine_event | resync
  };

  Result<std::string> socketPath() const;
  void eventLoop();
  void onEngineEvent(const docker::EngineEvent& event);
  Status resync(WallTime now);
  // Arms the exit watch on running container `id`'s main process `pid` (0: inspect for it), once
  // the engine confirms the pid after the pidfd is open. Blocking engine calls; no lock held.
  void watchExitOf(const docker::DockerClient& client, const std::string& id, int pid);
  // The exit watch's thread.
  void onProcessExit(const std::string& id, int pid, std::optional<int> exit_code);
  void noteExitWatchUnavailable(const Status& why);
  // Applies one resync's inspected containers (`uninspected`: listed, but the inspect failed, so
  // neither gone nor changed); collects the running ones whose process is not yet watched into
  // `to_watch`. mutex_ held.
  void applyResync(const std::map<std::string, docker::ContainerDetails>& watched,
                   const std::set<std::string>& uninspected, uint64_t started_at, WallTime now,
                   std::vector<std::pair<std::string, int>>& to_watch);
  // Publishes the change `observation` makes to `tracked` (nothing if none is due). mutex_ held.
  void apply(const std::string& id, Tracked& tracked, const Observation& observation, WallTime now);
  void reportEngine(bool ok, const std::string& error, WallTime now);  // mutex_ held
  void updateGauges();                                                 // mutex_ held
  Counter& announcedVia(std::string_view via);  // orion_watcher_containers_down_announced_total

  config::ContainersSourceConfig config_;
  SourceContext context_;
  std::map<std::string, std::string> environment_;
  Selector selector_;

  std::mutex resync_mutex_;  // one resync at a time (sampling thread and event thread)
  std::mutex mutex_;         // guards everything below
  std::map<std::string, Tracked> containers_;  // by container id
  uint64_t event_counter_ = 0;
  int64_t last_event_seconds_ = 0;
  std::string last_stream_error_;
  ProbeReporter engine_;

  docker::Cancellation cancel_;
  std::thread thread_;
  std::atomic<bool> stream_connected_{false};

  Gauge& watched_;
  Gauge& down_;
  Gauge& connected_gauge_;
  Counter& engine_events_;
  Counter& reconnects_;
  Histogram& handling_;
  Gauge& exit_watches_;
  Counter& exit_code_unknown_;
  std::atomic<bool> exit_watch_usable_{false};
  std::atomic<bool> exit_watch_fallback_logged_{false};
  ExitWatch exit_watch_;  // last: its thread calls into everything above until stop()
};

// The buckets of orion_watcher_containers_event_handling_seconds: 10 µs … 100 ms.
std::vector<double> eventHandlingBuckets();

}  // namespace orion::watcher::containers
