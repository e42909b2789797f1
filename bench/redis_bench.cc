// The pipeline through Redis, next to what this Redis can take. Starts a redis-server of its
// own (free loopback port, temporary directory, AOF on with appendfsync everysec as deployed in
// deploy/redis/redis.conf), then:
//
//  1. xadd_limit_per_s: `redis-benchmark -P 16` pipelined XADD of an event-sized document, the
//     ceiling of one Redis on this machine;
//  2. events_per_s: the real guardian, brain and memory on the Redis bus (bench/pipeline_run.h),
//     N events as fast as they are accepted, publish → decision; with the Redis commands ORION
//     sent per event (INFO commandstats, all commands, over that run) and the target the issue
//     sets: 50 % of (xadd_limit ÷ commands per event). Commands undercount Redis's work (an
//     XREADGROUP delivering 100 entries is one), so it also prints Redis's CPU per event in
//     pipelined XADDs (redis CPU per event × xadd_limit) and the same target with that count
//     (docs/benchmarks.md, "The floor under the Redis figures"); and the stream entries Redis
//     handled per event (added, read by a group, acknowledged: one operation each, however many
//     a command carries) with the target by that count;
//  3. latency at 1 000 events/s: p50/p99 publish → decision (target p99 < 2 ms), and the CPU
//     ORION and Redis spend per event at that rate, and the cores they keep busy: on a virtual
//     machine whose host deschedules it when it keeps both cores busy (bench/pause_bench.cc),
//     that load is what lengthens the tail; with the Redis commands per event (total on stdout,
//     by command on stderr) and the times ORION's threads (all but the bench's publisher) and
//     Redis's went to sleep per event (each a wake-up, dear on a virtual machine).
//
// Prints one JSON object. Usage: redis_bench [N] [PACED_SECONDS] [PACED_RATE]  (default 20000
// events, then 5 s at 1 000 events/s). Run from a Release build on a quiet machine.
// REDIS_BENCH_DEDUP_IN_MEMORY=1 keeps the dedup windows in memory instead of in a StateStore,
// to see what persisting them costs. REDIS_BENCH_UNIX=1 has ORION (and redis-benchmark) reach
// Redis through its unix socket (a unix:// bus.url) instead of loopback TCP.
#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <regex>
#include <string>
#include <vector>

#include "bus/redis_bus.h"
#include "common/logging.h"
#include "contracts/registry.h"
#include "pipeline_run.h"
#include "redis_stats.h"
#include "testing/redis_server.h"
#include "testing/temp_dir.h"

namespace {

using namespace orion;
using namespace std::chrono_literals;
using testing::RedisServer;

int fail(const std::string& what, const Status& status) {
  std::fprintf(stderr, "redis_bench: %s: %s\n", what.c_str(), status.toString().c_str());
  return 1;
}

// redis-benchmark's figure for pipelined XADD of `document` ("XADD ...: 123456.79 requests per
// second"), or 0.
double xaddLimit(const RedisServer& redis, bool unix_socket, const std::string& document,
                 const std::filesystem::path& dir) {
  std::string benchmark = RedisServer::program("redis-benchmark");
  if (benchmark.empty()) return 0;
  std::vector<std::string> args = {"-h", "127.0.0.1", "-p", std::to_string(redis.port())};
  if (unix_socket) args = {"-s", redis.socketPath().string()};
  args.insert(args.end(), {"-P", "16", "-n", "300000", "-q", "XADD", "bench:xadd", "MAXLEN", "~",
                           "10000", "*", "data", document});
  auto result = testing::runToCompletion(
      benchmark, args, testing::ChildProcess::Options{dir, std::nullopt, {}}, 120s);
  std::smatch match;
  std::regex figure(R"(([0-9.]+) requests per second)");
  // -q rewrites the line in place with carriage returns; the last figure is the final one.
  double last = 0;
  for (std::sregex_iterator it(result.out.begin(), result.out.end(), figure), end; it != end;
       ++it) {
    last = std::stod((*it)[1]);
  }
  return last;
}

}  // namespace

int main(int argc, char** argv) {
  size_t n = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 20000;
  if (n == 0) n = 20000;
  double paced_seconds = argc > 2 ? std::strtod(argv[2], nullptr) : 5;
  double paced_rate = argc > 3 ? std::strtod(argv[3], nullptr) : 1000;
  if (paced_rate <= 0) paced_rate = 1000;
  (void)configureLogging({"warn", LogFormat::kJson});
  // As the daemon does (daemon/signals.cc): a write to a closed socket is an error, not a signal.
  signal(SIGPIPE, SIG_IGN);

  testing::TempDir dir;
  std::filesystem::create_directories(dir.path() / "redis");
  const bool unix_socket = std::getenv("REDIS_BENCH_UNIX") != nullptr;
  auto redis = RedisServer::start({dir.path() / "redis", std::nullopt, {}, true, unix_socket});
  if (!redis) return fail("starting redis-server", redis.status());

  std::string sample =
      R"({"version":"1.0","event_id":"0b7e7c1e-3f4a-4c55-9a2e-8f0e6f1d2c3b","timestamp":)"
      R"("2026-01-14T12:00:00.123456Z","source":"orion-watcher-host","event_type":)"
      R"("metric_threshold_exceeded","severity":"warning","data":{"node":"bench","resource_type":)"
      R"("disk","resource":"/mnt/disk1","metric":"disk_used_percent","value":93.5,"unit":)"
      R"("percent","threshold":90.0,"level":"warning","state":"firing"},"tags":{"node":"bench"}})";
  double xadd_limit = xaddLimit(**redis, unix_socket, sample, dir.path());
  (void)(*redis)->cli({"DEL", "bench:xadd"});

  auto contracts = contracts::ContractRegistry::loadEmbedded();
  if (!contracts) return fail("loading contracts", contracts.status());
  RealClock clock;
  auto run = [&](const std::string& name, size_t events,
                 double rate) -> Result<bench::PipelineResult> {
    MetricsRegistry metrics;
    bus::RedisBusOptions options;
    options.endpoint.port = (*redis)->port();
    if (unix_socket) options.endpoint.socket = (*redis)->socketPath().string();
    options.max_stream_length = std::max<size_t>(10000, events + 100);
    options.local_queue_capacity = events + 100;
    if (std::getenv("REDIS_BENCH_DEDUP_IN_MEMORY") == nullptr)
      options.state_dir = (dir.path() / name / "bus").string();
    options.node = "bench";
    auto bus = bus::makeRedisBus(options, *contracts, clock, metrics);
    if (!bus) return bus.status();
    return bench::runPipeline(**bus, clock, metrics, dir.path() / name, events, rate);
  };

  uint64_t calls_before = bench::redisCommandCalls(**redis);
  bench::StreamEntries entries_before = bench::redisStreamEntries(**redis, "orion");
  double redis_cpu_before = bench::redisCpuSeconds(**redis);
  double own_cpu_before = bench::processCpuSeconds();
  auto burst = run("burst", n, 0);
  double own_cpu = bench::processCpuSeconds() - own_cpu_before;
  double redis_cpu = bench::redisCpuSeconds(**redis) - redis_cpu_before;
  uint64_t calls_after = bench::redisCommandCalls(**redis);
  bench::StreamEntries entries_after = bench::redisStreamEntries(**redis, "orion");
  if (!burst) return fail("pipeline", burst.status());
  // Each entry is added once, and read and acknowledged once by each group that reads it.
  double entry_ops_per_event = static_cast<double>(entries_after.added - entries_before.added +
                                                   2 * (entries_after.read - entries_before.read)) /
                               static_cast<double>(n);
  double commands_per_event =
      static_cast<double>(calls_after - calls_before) / static_cast<double>(n);
  double per_event_us = 1e6 / static_cast<double>(n);

  size_t paced_events = static_cast<size_t>(paced_rate * paced_seconds);
  double paced_own_before = bench::processCpuSeconds();
  double paced_redis_before = bench::redisCpuSeconds(**redis);
  auto paced_calls_before = bench::redisCommandCallsByName(**redis);
  uint64_t paced_redis_switches = bench::voluntarySwitches((*redis)->pid());
  MonoTime paced_begin = clock.monotonic();
  auto paced = run("paced", paced_events, paced_rate);
  double paced_wall = std::chrono::duration<double>(clock.monotonic() - paced_begin).count();
  double paced_own = bench::processCpuSeconds() - paced_own_before;
  double paced_redis = bench::redisCpuSeconds(**redis) - paced_redis_before;
  auto paced_calls_after = bench::redisCommandCallsByName(**redis);
  paced_redis_switches = bench::voluntarySwitches((*redis)->pid()) - paced_redis_switches;
  if (!paced) return fail("paced pipeline", paced.status());
  double paced_per_event_us = 1e6 / static_cast<double>(std::max<size_t>(paced_events, 1));
  // The paced phase's commands per event, in total and (on stderr) by command.
  double paced_commands_per_event = 0;
  for (const auto& [name, calls] : paced_calls_after) {
    auto before = paced_calls_before.find(name);
    double per_event =
        static_cast<double>(calls - (before == paced_calls_before.end() ? 0 : before->second)) /
        static_cast<double>(std::max<size_t>(paced_events, 1));
    paced_commands_per_event += per_event;
    if (per_event >= 0.01)
      std::fprintf(stderr, "paced %s: %.2f per event\n", name.c_str(), per_event);
  }

  double target = commands_per_event > 0 ? 0.5 * xadd_limit / commands_per_event : 0;
  double redis_work_in_xadds = redis_cpu * per_event_us * xadd_limit / 1e6;
  double target_by_work = redis_work_in_xadds > 0 ? 0.5 * xadd_limit / redis_work_in_xadds : 0;
  double target_by_entries = entry_ops_per_event > 0 ? 0.5 * xadd_limit / entry_ops_per_event : 0;
  std::printf(
      "{\"xadd_limit_per_s\": %.0f, \"events\": %zu, \"decided\": %zu, \"events_per_s\": %.0f, "
      "\"redis_commands_per_event\": %.2f, \"target_events_per_s\": %.0f, "
      "\"redis_entry_ops_per_event\": %.1f, \"target_by_entry_ops_events_per_s\": %.0f, "
      "\"redis_work_in_xadds_per_event\": %.1f, \"target_by_redis_work_events_per_s\": %.0f, "
      "\"orion_cpu_us_per_event\": %.0f, \"redis_cpu_us_per_event\": %.0f, "
      "\"burst_latency_p50_ms\": %.3f, \"burst_latency_p99_ms\": %.3f, "
      "\"paced_rate_per_s\": %.0f, \"paced_events\": %zu, \"paced_decided\": %zu, "
      "\"paced_latency_p50_ms\": %.3f, \"paced_latency_p99_ms\": %.3f, "
      "\"paced_redis_commands_per_event\": %.2f, \"paced_orion_cpu_us_per_event\": %.0f, "
      "\"paced_redis_cpu_us_per_event\": %.0f, "
      "\"paced_cores_busy\": %.2f, \"paced_orion_sleeps_per_event\": %.1f, "
      "\"paced_redis_sleeps_per_event\": %.1f, \"peak_rss_mib\": %.1f}\n",
      xadd_limit, n, burst->decided, burst->events_per_s, commands_per_event, target,
      entry_ops_per_event, target_by_entries, redis_work_in_xadds, target_by_work,
      own_cpu * per_event_us, redis_cpu * per_event_us, burst->latency_p50_ms,
      burst->latency_p99_ms, paced_rate, paced_events, paced->decided, paced->latency_p50_ms,
      paced->latency_p99_ms, paced_commands_per_event, paced_own * paced_per_event_us,
      paced_redis * paced_per_event_us, paced_wall > 0 ? (paced_own + paced_redis) / paced_wall : 0,
      static_cast<double>(paced->switches) / static_cast<double>(std::max<size_t>(paced_events, 1)),
      static_cast<double>(paced_redis_switches) /
          static_cast<double>(std::max<size_t>(paced_events, 1)),
      bench::peakRssMib());
  return burst->decided == n && paced->decided == paced_events ? 0 : 1;
}
