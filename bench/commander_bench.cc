// Incident → restart request at the engine, in process: the brain (N2, the shipped policies with
// the restart rate limit and budget lifted so every sample executes) and the commander on the
// embedded bus, and a fake Docker Engine on a unix socket that notes when POST
// /containers/<id>/restart arrives and answers an inspect with a running container. Each sample
// publishes one service_outage incident about its own container and waits for its outcome.
// Prints one JSON object: p50/p99/max in ms from incident published to restart request received.
//
//   build/release/bench/commander_bench [samples]    (default 200)
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
#include "contracts/documents.h"
#include "contracts/registry.h"

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

}  // namespace

int main(int argc, char** argv) {
  int samples = argc > 1 ? std::max(1, std::atoi(argv[1])) : 200;
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
  std::sort(latencies_ms.begin(), latencies_ms.end());
  auto at = [&](double q) {
    return latencies_ms[std::min(
        latencies_ms.size() - 1,
        static_cast<size_t>(q * static_cast<double>(latencies_ms.size())))];
  };
  std::printf(
      "{\"bench\":\"commander\",\"what\":\"incident published -> restart request at the "
      "engine\",\"samples\":%d,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f,"
      "\"target_p99_ms\":50}\n",
      samples, at(0.50), at(0.99), latencies_ms.back());
  fs::remove_all(dir);
  return 0;
}
