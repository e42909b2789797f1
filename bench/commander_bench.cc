// Incident → restart request at the engine, in process: the brain (N2, the shipped policies with
// the restart rate limit and budget lifted so every sample executes) and the commander on the
// embedded bus, and a fake Docker Engine on a unix socket that notes when POST
// /containers/<id>/restart arrives and answers an inspect with a running container. Each sample
// publishes one service_outage incident about its own container and waits for its outcome.
// Prints one JSON object: p50/p99/max in ms from incident published to restart request received.
//
// With --with-watcher the incident is not published by the bench: `samples` containers run in a
// private podman API service (tests/testing/podman_service.h), the watcher (containers source,
// its process-exit watch on unless --no-exit-watch) and the guardian (flap and node correlation
// lifted: every sample is its own service_outage) join the brain and the commander, and each
// container is killed once. Printed: kill request → restart request at the fake engine, and the
// engine's exit time (State.FinishedAt) → the same.
//
//   build/release/bench/commander_bench [samples]    (default 200)
//   build/release/bench/commander_bench --with-watcher [--no-exit-watch] [samples]   (default 30)
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "brain/brain.h"
#include "bus/embedded_bus.h"
#include "commander/commander.h"
#include "common/ids.h"
#include "common/time.h"
#include "containers_watcher.h"
#include "contracts/documents.h"
#include "contracts/registry.h"
#include "docker/docker_client.h"
#include "guardian/guardian.h"
#include "testing/podman_service.h"
#include "testing/wait.h"
#include "watcher/watcher.h"

namespace {

using namespace orion;

// A minimal engine: one request per connection, HTTP/1.1 with Connection: close.
class FakeEngine {
 public:
  FakeEngine(std::string path, const Clock& clock) : path_(std::move(path)), clock_(clock) {
    ::unlink(path_.c_str());
    fd_ = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path_.c_str());
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        ::listen(fd_, 64) != 0) {
      std::perror("fake engine");
      std::exit(1);
    }
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeEngine() {
    stopping_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
    ::unlink(path_.c_str());
  }

  // When the restart of `container` was requested (waits up to 5 s).
  std::optional<MonoTime> restartOf(const std::string& container) {
    std::unique_lock lock(mutex_);
    if (!cv_.wait_for(lock, std::chrono::seconds(5), [&] { return restarts_.contains(container); }))
      return std::nullopt;
    return restarts_[container];
  }

 private:
  void serve() {
    while (!stopping_) {
      int client = ::accept(fd_, nullptr, nullptr);
      if (client < 0) continue;
      std::string request;
      char buffer[4096];
      while (request.find("\r\n\r\n") == std::string::npos) {
        ssize_t n = ::read(client, buffer, sizeof(buffer));
        if (n <= 0) break;
        request.append(buffer, static_cast<size_t>(n));
      }
      MonoTime at = clock_.monotonic();
      std::string line = request.substr(0, request.find("\r\n"));
      std::string response;
      if (line.rfind("POST /containers/", 0) == 0 && line.find("/restart") != std::string::npos) {
        std::string id = line.substr(17, line.find("/restart") - 17);
        {
          std::lock_guard lock(mutex_);
          restarts_[id] = at;
        }
        cv_.notify_all();
        response = "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n";
      } else {
        std::string body =
            R"({"Id":"c0ffee","Name":"/web","RestartCount":1,"Config":{"Image":"busybox"},)"
            R"("State":{"Status":"running","Running":true,"ExitCode":0}})";
        response =
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
            "Content-Length: " +
            std::to_string(body.size()) + "\r\n\r\n" + body;
      }
      (void)!::write(client, response.data(), response.size());
      ::close(client);
    }
  }

  std::string path_;
  const Clock& clock_;
  int fd_ = -1;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::map<std::string, MonoTime> restarts_;
};

std::string readAll(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void replaceIn(const std::filesystem::path& file, const std::string& from, const std::string& to) {
  std::string text = readAll(file);
  if (auto at = text.find(from); at != std::string::npos) text.replace(at, from.size(), to);
  std::ofstream(file) << text;
}

double at(std::vector<double> values, double q) {
  if (values.empty()) return -1;
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1,
                         static_cast<size_t>(q * static_cast<double>(values.size())))];
}

// The watcher and the guardian in front of the brain: `samples` real containers, each killed
// once; returns the JSON fields of the figures, or "" after printing why it could not.
std::string exitToRestart(int samples, bool exit_watch, const Clock& clock,
                          MetricsRegistry& metrics, bus::Bus& bus, FakeEngine& engine,
                          const std::string& state_dir) {
  std::string missing = testing::PodmanService::missingReason();
  if (!missing.empty()) {
    std::fprintf(stderr, "commander_bench: %s\n", missing.c_str());
    return "";
  }
  testing::PodmanService podman;
  Status ready = podman.start();
  if (ready) ready = podman.buildTestImage();
  std::vector<std::string> ids;
  for (int i = 0; ready && i < samples; ++i) {
    Result<std::string> id =
        podman.podman({"run", "--detach", "--name", "victim" + std::to_string(i),
                       testing::PodmanService::kTestImage});
    if (id) ids.push_back(*id);
    ready = id.status();
  }
  if (!ready) {
    std::fprintf(stderr, "commander_bench: podman: %s\n", ready.toString().c_str());
    return "";
  }
  ModuleContext context{bus, clock, metrics, "bench", state_dir};
  config::GuardianConfig guardian_config;
  guardian_config.flap_threshold = 1'000'000;
  guardian_config.node_correlation_threshold = 1'000'000;
  auto guardian = guardian::makeGuardian(guardian_config, context);
  auto watcher =
      watcher::makeWatcher(bench::containersOnlyWatcher(podman.socketPath(), exit_watch), context);
  if (!guardian->start() || !watcher->start()) {
    std::fprintf(stderr, "commander_bench: the guardian or the watcher did not start\n");
    return "";
  }
  auto gauge = [&](const char* name) { return metrics.read(name, {{"source", "engine"}}); };
  testing::waitUntil(
      [&] {
        return gauge("orion_watcher_containers_stream_connected") == 1 &&
               gauge("orion_watcher_containers_watched") == samples &&
               (!exit_watch || gauge("orion_watcher_containers_exit_watches") == samples);
      },
      std::chrono::seconds(30));
  docker::DockerClient client(podman.socketPath(), clock);
  std::vector<double> from_kill_ms;
  std::vector<double> from_exit_ms;
  int failures = 0;
  for (const std::string& id : ids) {
    MonoTime kill = clock.monotonic();
    std::optional<MonoTime> restart;
    if (client.killContainer(id)) restart = engine.restartOf(id);
    Result<docker::ContainerDetails> after = client.inspectContainer(id);
    Result<WallTime> exited =
        after ? parseRfc3339(after->finished_at) : Result<WallTime>(after.status());
    if (!restart || !exited) {
      ++failures;
      continue;
    }
    from_kill_ms.push_back(std::chrono::duration<double, std::milli>(*restart - kill).count());
    WallTime requested = clock.now() - (clock.monotonic() - *restart);
    from_exit_ms.push_back(std::chrono::duration<double, std::milli>(requested - *exited).count());
  }
  watcher->stop(clock.monotonic() + std::chrono::seconds(2));
  guardian->stop(clock.monotonic() + std::chrono::seconds(2));
  char out[400];
  std::snprintf(out, sizeof(out),
                "\"exit_watch\":%s,\"failures\":%d,\"exit_to_restart_ms\":{\"p50\":%.2f,"
                "\"p99\":%.2f,\"max\":%.2f},\"kill_request_to_restart_ms\":{\"p50\":%.2f,"
                "\"p99\":%.2f,\"max\":%.2f},\"target_p99_ms\":100",
                exit_watch ? "true" : "false", failures, at(from_exit_ms, 0.5),
                at(from_exit_ms, 0.99), at(from_exit_ms, 1.0), at(from_kill_ms, 0.5),
                at(from_kill_ms, 0.99), at(from_kill_ms, 1.0));
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  bool with_watcher = false;
  bool exit_watch = true;
  int samples = 0;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--with-watcher") {
      with_watcher = true;
    } else if (arg == "--no-exit-watch") {
      exit_watch = false;
    } else {
      samples = std::max(1, std::atoi(argv[i]));
    }
  }
  if (samples == 0) samples = with_watcher ? 30 : 200;
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("orion-commander-bench-" + std::to_string(getpid()));
  fs::create_directories(dir);
  fs::copy(ORION_SOURCE_DIR "/policies", dir / "policies");
  // Every sample must execute: lift the restart rate limit and the automatic-action budget.
  replaceIn(dir / "policies" / "actions_safe.yaml", "max_frequency: \"6 per hour\"",
            "max_frequency: unlimited");
  replaceIn(dir / "policies" / "cooldowns.yaml", "max_actions: 10", "max_actions: 100000");

  RealClock clock;
  MetricsRegistry metrics;
  auto contracts = contracts::ContractRegistry::loadEmbedded();
  if (!contracts) {
    std::fprintf(stderr, "commander_bench: %s\n", contracts.status().toString().c_str());
    return 1;
  }
  auto bus = bus::makeEmbeddedBus(bus::EmbeddedBusOptions{}, *contracts, clock, metrics);
  FakeEngine engine((dir / "engine.sock").string(), clock);

  ModuleContext context{*bus, clock, metrics, "bench", (dir / "state").string()};
  config::BrainConfig brain_config;
  brain_config.autonomy_level = config::Autonomy::kN2;
  brain_config.policy_dir = (dir / "policies").string();
  commander::CommanderOptions options;
  options.policy_dir = brain_config.policy_dir;
  options.builtin.docker_socket = (dir / "engine.sock").string();
  auto brain = brain::makeBrain(brain_config, context);
  auto commander = commander::makeCommanderService(options, context);
  std::mutex mutex;
  std::condition_variable cv;
  int outcomes = 0;
  auto watch = bus->subscribe({"outcome", "bench", "bench-1"}, [&](const bus::Delivery&) {
    std::lock_guard lock(mutex);
    ++outcomes;
    cv.notify_all();
    return Status::ok();
  });
  if (!watch || !commander->start().isOk() || !brain->start().isOk()) {
    std::fprintf(stderr, "commander_bench: could not start the modules\n");
    return 1;
  }
  if (with_watcher) {
    std::string figures =
        exitToRestart(samples, exit_watch, clock, metrics, *bus, engine, (dir / "state").string());
    brain->stop(clock.monotonic() + std::chrono::seconds(2));
    commander->stop(clock.monotonic() + std::chrono::seconds(2));
    (*watch)->stop();
    fs::remove_all(dir);
    if (figures.empty()) return 1;
    std::printf(
        "{\"bench\":\"commander\",\"what\":\"container exit -> restart request at the engine, "
        "with the watcher and the guardian\",\"samples\":%d,%s}\n",
        samples, figures.c_str());
    return 0;
  }

  std::vector<double> latencies_ms;
  for (int i = 0; i < samples; ++i) {
    std::string container = "bench" + std::to_string(i);
    contracts::Incident incident;
    incident.incident_id = newUuid();
    incident.timestamp = clock.now();
    incident.incident_type = "service_outage";
    incident.severity = contracts::IncidentSeverity::kHigh;
    incident.event_ids = {newUuid()};
    incident.window_start = incident.timestamp;
    incident.window_end = incident.timestamp;
    incident.tags = {
        {"node", "bench"},           {"target", container},         {"service_name", container},
        {"container_id", container}, {"container_name", container}, {"event_type", "service_down"}};
    MonoTime sent = clock.monotonic();
    if (!bus->publish("incident", incident.toJson())) return 1;
    auto restarted = engine.restartOf(container);
    if (!restarted) {
      std::fprintf(stderr, "commander_bench: no restart request for %s\n", container.c_str());
      return 1;
    }
    latencies_ms.push_back(std::chrono::duration<double, std::milli>(*restarted - sent).count());
    std::unique_lock lock(mutex);
    cv.wait_for(lock, std::chrono::seconds(5), [&] { return outcomes > i; });
  }
  brain->stop(clock.monotonic() + std::chrono::seconds(2));
  commander->stop(clock.monotonic() + std::chrono::seconds(2));
  (*watch)->stop();
  std::printf(
      "{\"bench\":\"commander\",\"what\":\"incident published -> restart request at the "
      "engine\",\"samples\":%d,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f,"
      "\"target_p99_ms\":50}\n",
      samples, at(latencies_ms, 0.50), at(latencies_ms, 0.99), at(latencies_ms, 1.0));
  fs::remove_all(dir);
  return 0;
}
