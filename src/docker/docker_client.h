// orion_docker: a client of the Docker Engine HTTP API on a unix socket — Docker's own or
// podman's compatible service (`podman system service`). Shared by the watcher (inventory, state,
// health, the event stream) and the commander (start, stop, restart); it depends on common only.
//
// Paths are unversioned ("/containers/json"), so the engine answers in its own current API
// version; only fields present since API 1.24 (and in podman 4) are read.
//
// Threading: a DockerClient holds configuration only; every call opens its own connection, so
// any number of threads may call it at once. streamEvents() blocks its caller until the stream
// ends or the Cancellation is raised from another thread (it returns within milliseconds).
//
// Errors: kUnavailable when the engine cannot be reached or answers 5xx, kNotFound for an
// unknown container (404), kFailedPrecondition for a conflict (409), kDeadlineExceeded when no
// answer came within the request timeout, kInvalidArgument for an answer that is not the
// expected JSON. Messages name the operation and the container.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/json.h"
#include "common/status.h"
#include "docker/cancellation.h"
#include "docker/unix_http_client.h"

namespace orion::docker {

// One container as /containers/json lists it.
struct ContainerSummary {
  std::string id;
  std::string name;  // without Docker's leading '/'
  std::string image;
  std::string state;  // created | running | paused | restarting | removing | exited | dead
  std::map<std::string, std::string> labels;
};

// What /containers/{id}/json adds.
struct ContainerDetails {
  ContainerSummary summary;
  bool running = false;
  int exit_code = 0;
  bool oom_killed = false;
  std::string health;  // "" (no health check) | starting | healthy | unhealthy
  int failing_streak = 0;
  int64_t restart_count = 0;
  int pid = 0;  // State.Pid: the main process's id on the engine's host, 0 when not running
  std::string started_at;
  std::string finished_at;
  std::string error;  // the engine's own error text, if any
};

// One entry of the /events stream. `action` is Docker's ("die", "health_status: unhealthy").
struct EngineEvent {
  std::string type;  // "container", "image", "network", ...
  std::string action;
  std::string id;
  std::string name;   // Actor.Attributes.name
  std::string image;  // Actor.Attributes.image (or "from")
  std::optional<int> exit_code;
  int64_t time_nano = 0;
  std::map<std::string, std::string> attributes;
};

// Parsers of the engine's JSON, exposed for tests. Errors say which field was wrong.
Result<std::vector<ContainerSummary>> parseContainerList(const Json& list);
Result<ContainerDetails> parseContainerDetails(const Json& inspect);
Result<EngineEvent> parseEngineEvent(const Json& event);

class DockerClient {
 public:
  // `socket_path`: a filesystem path (see detectSocket()). `timeout` bounds every request except
  // the event stream's body and start/stop/restart, which wait for the container's grace period.
  DockerClient(std::string socket_path, const Clock& clock,
               Duration timeout = std::chrono::seconds(5));

  const std::string& socketPath() const { return http_.socketPath(); }

  // GET /version: the engine's name and version ("Docker Engine 24.0.7", "Podman Engine 4.3.1").
  Result<std::string> version() const;

  Result<std::vector<ContainerSummary>> listContainers(bool all = true) const;
  Result<ContainerDetails> inspectContainer(std::string_view id_or_name) const;

  // POST /containers/{id}/start|stop|restart. Starting a running container or stopping a stopped
  // one is OK (304). `grace` is how long the engine waits before SIGKILL.
  Status startContainer(std::string_view id_or_name) const;
  Status stopContainer(std::string_view id_or_name, Duration grace) const;
  Status restartContainer(std::string_view id_or_name, Duration grace) const;
  // POST /containers/{id}/kill?signal=…: sends `signal` ("KILL", "TERM", "HUP") at once.
  Status killContainer(std::string_view id_or_name, std::string_view signal = "KILL") const;

  struct EventOptions {
    std::optional<int64_t> since_unix_seconds;  // replay from this time (after a reconnect)
    bool containers_only = true;                // filter type=container at the engine
  };
  // Streams /events: `on_connected` once the engine accepted the subscription, then `on_event`
  // for each event, on the calling thread, until the engine closes the stream (OK), `cancel` is
  // raised (kCancelled) or an error breaks it. A line that is not a valid event is skipped and
  // counted in `*skipped` (when given) rather than ending the stream.
  Status streamEvents(const EventOptions& options, const std::function<void()>& on_connected,
                      const std::function<void(const EngineEvent&)>& on_event,
                      const Cancellation& cancel, int64_t* skipped = nullptr) const;

 private:
  Result<Json> getJson(const std::string& target, const std::string& what) const;
  Status post(const std::string& target, const std::string& what, Duration timeout) const;

  UnixHttpClient http_;
  Duration timeout_;
};

// The engine's socket when none is configured: DOCKER_HOST if it is unix://…, else the first of
// /var/run/docker.sock, $XDG_RUNTIME_DIR/podman/podman.sock, /run/podman/podman.sock that exists
// as a socket (`exists` checks; tests pass their own). kNotFound lists what was tried; a
// DOCKER_HOST that is not unix:// (tcp://…) is kInvalidArgument.
Result<std::string> detectSocket(const std::map<std::string, std::string>& environment,
                                 const std::function<bool(const std::string&)>& exists);
// "unix:///run/x.sock" or "/run/x.sock" -> "/run/x.sock"; anything else is kInvalidArgument.
Result<std::string> socketPathOf(std::string_view configured);
// True when `path` is a unix socket.
bool isSocket(const std::string& path);

}  // namespace orion::docker
