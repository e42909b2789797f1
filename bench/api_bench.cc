// The API's figures (issue 8), printed as one JSON object:
//
//   metrics_render   MetricsRegistry::renderPrometheus() with 1 000 series (counters and gauges
//                    over 50 families), in process: p50/p99/mean µs (target < 1 ms)
//   status, incidents  the real `orion run` binary (ORION_BINARY) with the API on loopback and
//                    a trail with incidents in it; N concurrent clients (default 200), each on
//                    its own connection, GET in a loop for S seconds: requests, errors,
//                    p50/p99/max ms (GET /api/v1/status, GET /api/v1/incidents?state=all)
//   idle_cpu         the daemon's CPU (user + system, % of one core) over S seconds, first with
//                    no client, then with the dashboard open in headless Chromium (when
//                    /usr/bin/chromium exists)
//
// Usage: api_bench [CLIENTS] [SECONDS]     (defaults 200 and 10)
#include <httplib.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/json.h"
#include "common/metrics.h"
#include "e2e/child_process.h"
#include "testing/host_tools.h"
#include "testing/temp_dir.h"
#include "testing/wait.h"

namespace {

using namespace std::chrono_literals;
using orion::Json;
using Steady = std::chrono::steady_clock;

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  size_t index = static_cast<size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(index, values.size() - 1)];
}

Json metricsRender() {
  orion::MetricsRegistry registry;
  for (int family = 0; family < 50; ++family) {
    for (int label = 0; label < 20; ++label) {
      orion::Labels labels{{"type", "t" + std::to_string(label)}, {"group", "g"}};
      std::string name = "orion_bench_family_" + std::to_string(family);
      if (family % 2 == 0) {
        registry.counter(name + "_total", "A counter family.", labels).inc(label * 1000 + 7);
      } else {
        registry.gauge(name, "A gauge family.", labels).set(label * 0.25);
      }
    }
  }
  std::vector<double> micros;
  size_t bytes = 0;
  for (int run = 0; run < 2000; ++run) {
    auto start = Steady::now();
    std::string text = registry.renderPrometheus();
    micros.push_back(std::chrono::duration<double, std::micro>(Steady::now() - start).count());
    bytes = text.size();
  }
  double sum = 0;
  for (double value : micros) sum += value;
  return {{"series", 1000},
          {"bytes", bytes},
          {"p50_us", percentile(micros, 0.5)},
          {"p99_us", percentile(micros, 0.99)},
          {"mean_us", sum / static_cast<double>(micros.size())}};
}

Json load(int port, const std::string& path, int clients, double seconds) {
  std::mutex mutex;
  std::vector<double> millis;
  std::atomic<uint64_t> errors{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&] {
      httplib::Client client("127.0.0.1", port);
      client.set_connection_timeout(5s);
      client.set_read_timeout(10s);
      std::vector<double> mine;
      while (!stop.load()) {
        auto start = Steady::now();
        auto response = client.Get(path);
        double ms = std::chrono::duration<double, std::milli>(Steady::now() - start).count();
        if (!response || response->status != 200) {
          errors.fetch_add(1);
          std::this_thread::sleep_for(1ms);
          continue;
        }
        mine.push_back(ms);
      }
      std::lock_guard lock(mutex);
      millis.insert(millis.end(), mine.begin(), mine.end());
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop.store(true);
  for (auto& thread : threads) thread.join();
  return {{"path", path},
          {"clients", clients},
          {"requests", millis.size()},
          {"requests_per_second", static_cast<double>(millis.size()) / seconds},
          {"errors", errors.load()},
          {"p50_ms", percentile(millis, 0.5)},
          {"p99_ms", percentile(millis, 0.99)},
          {"max_ms", millis.empty() ? 0 : *std::max_element(millis.begin(), millis.end())}};
}

// utime + stime of `pid` in seconds.
double cpuSeconds(pid_t pid) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));
  std::string field;
  double ticks = 0;
  for (int number = 3; fields >> field && number <= 15; ++number) {
    if (number == 14 || number == 15) ticks += std::stod(field);
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double cpuPercentOver(pid_t pid, double seconds) {
  double before = cpuSeconds(pid);
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  return (cpuSeconds(pid) - before) / seconds * 100;
}

}  // namespace

int main(int argc, char** argv) {
  int clients = argc > 1 ? std::atoi(argv[1]) : 200;
  double seconds = argc > 2 ? std::strtod(argv[2], nullptr) : 10;
  Json out;
  out["metrics_render"] = metricsRender();

  orion::testing::TempDir dir;
  int port = orion::testing::freeLoopbackPort();
  // Disk thresholds every filesystem crosses: incidents in the trail from the first sample.
  auto config = dir.write("orion.yaml",
                          "state_dir: " + (dir.path() / "state").string() +
                              "\nlog:\n  level: warning\napi:\n  enabled: true\n  listen: "
                              "127.0.0.1:" +
                              std::to_string(port) +
                              "\nwatcher:\n  host:\n    disk_percent: {warning: 1, critical: 2}\n");
  orion::testing::ChildProcess orion(ORION_BINARY, {"run", "--config", config.string()},
                                     {dir.path(), std::nullopt, {}});
  if (!orion.started()) {
    std::fprintf(stderr, "cannot start orion: %s\n", orion.error().c_str());
    return 1;
  }
  httplib::Client probe("127.0.0.1", port);
  bool ready = orion::testing::waitUntil(
      [&] {
        auto response = probe.Get("/api/v1/incidents?state=all");
        return response && response->status == 200 &&
               response->body.find("incident_id") != std::string::npos;
      },
      30s);
  if (!ready) {
    std::fprintf(stderr, "the API never listed an incident; stderr:\n%s\n", orion.err().c_str());
    return 1;
  }
  out["status"] = load(port, "/api/v1/status", clients, seconds);
  out["incidents"] = load(port, "/api/v1/incidents?state=all", clients, seconds);

  Json idle;
  idle["no_client_percent"] = cpuPercentOver(orion.pid(), seconds);
  std::string chromium = orion::testing::findExecutable("chromium");
  if (!chromium.empty()) {
    orion::testing::ChildProcess browser(
        chromium,
        {"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--user-data-dir=" + (dir.path() / "chromium").string(), "--remote-debugging-port=0",
         "http://127.0.0.1:" + std::to_string(port) + "/"},
        {dir.path(), std::nullopt, {}});
    // The page loads and opens its live stream.
    auto streamClients = [&] {
      auto metrics = probe.Get("/metrics");
      std::string key = "\norion_api_stream_clients ";
      size_t at = metrics ? metrics->body.find(key) : std::string::npos;
      return at == std::string::npos
                 ? -1.0
                 : std::strtod(metrics->body.c_str() + at + key.size(), nullptr);
    };
    orion::testing::waitUntil([&] { return streamClients() >= 1; }, 20s);
    idle["dashboard_stream_clients"] = streamClients();
    idle["dashboard_open_percent"] = cpuPercentOver(orion.pid(), seconds);
    browser.signal(SIGKILL);
    (void)browser.waitExit(5s);
  } else {
    idle["dashboard_open_percent"] = nullptr;
    idle["note"] = "chromium not installed";
  }
  idle["seconds"] = seconds;
  out["idle_cpu"] = idle;
  orion.signal(SIGTERM);
  (void)orion.waitExit(10s);
  std::printf("%s\n", out.dump(2).c_str());
  return 0;
}
