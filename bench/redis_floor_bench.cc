// The floor under redis_bench: what ORION's stream protocol costs when no module does any work.
// redis_bench runs the real guardian, brain and memory through Redis; this runs the same streams,
// consumer groups and documents with handlers that do nothing but pass a document on, twice:
//
//  1. protocol: plain Redis clients (ORION's RedisConnection, no bus): a publisher pipelines
//     XADDs of an event; one thread per (stream, group), as the bus has, loops XACK of the last
//     batch + XREADGROUP COUNT 128 BLOCK; the "guardian" group XADDs an incident per event read,
//     the "brain" group a decision per incident. The groups are those of redis_bench's pipeline:
//     events → guardian, memory; incidents → brain, memory, bench; decisions → memory, bench
//     (seven group deliveries and three XADDs per event). What Redis itself needs per event, and
//     the most events/s any client of this protocol can get on this machine.
//  2. bus: the same shape on ORION's Redis bus (bus/redis_bus.h) with its validation on publish
//     and consume, JSON parsing (shared between the groups of the process), dedup windows kept
//     in a StateStore and acknowledgement after the handler, and handlers that only publish a
//     prepared incident or decision with a fresh id. What the bus costs before the modules do.
//
// redis_bench minus `bus` is what the guardian, brain and memory themselves cost; `bus` minus
// `protocol` is the bus's own work. Prints one JSON object. Usage: redis_floor_bench [N] [RUNS]
// (default 20000 events each run; RUNS "protocol", "bus" or "both", the default, e.g. to profile
// one alone). Run from a Release build on a quiet machine.
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "bus/redis_bus.h"
#include "bus/redis_connection.h"
#include "bus/redis_reply.h"
#include "common/ids.h"
#include "common/json.h"
#include "common/logging.h"
#include "contracts/registry.h"
#include "redis_stats.h"
#include "testing/redis_server.h"
#include "testing/temp_dir.h"

namespace {

using namespace orion;
using namespace std::chrono_literals;
using testing::RedisServer;

// Documents of the sizes the real pipeline writes (424, 749 and 1 709 bytes, taken from a
// redis_bench run): an event, the incident the guardian opens for it, the brain's decision.
constexpr const char* kEvent =
    R"j({"data":{"level":"warning","metric":"disk_used_percent","node":"bench-35936","resource":)j"
    R"j("/mnt/disk35936","resource_type":"disk","state":"firing","threshold":90.0,"unit":)j"
    R"j("percent","value":93.5},"event_id":"7b1e1cbf-2822-4e7f-a426-7c1e136f4aa6","event_type":)j"
    R"j("metric_threshold_exceeded","severity":"warning","source":"orion-watcher-host","tags":)j"
    R"j({"node":"bench-35936"},"timestamp":"2026-12-07T05:12:57.004300Z","version":"1.0"})j";
constexpr const char* kIncident =
    R"j({"correlation_window":{"end":"2026-12-07T05:12:57.004365Z","start":)j"
    R"j("2026-12-07T05:12:57.004365Z"},"description":"disk_used_percent of /mnt/disk35936 is )j"
    R"j(93.5% (warning threshold 90%)","event_ids":["7b1e1cbf-2822-4e7f-a426-7c1e136f4aa6"],)j"
    R"j("incident_id":"550c3c31-98a8-8ec8-9afd-4d11357477ba","incident_type":"metric_anomaly",)j"
    R"j("severity":"medium","source":"orion-guardian","state":"open","tags":{"event_type":)j"
    R"j("metric_threshold_exceeded","fingerprint":"fbd859eb5d0c91f0","level":"warning","metric":)j"
    R"j("disk_used_percent","node":"bench-35936","resource":"/mnt/disk35936","resource_type":)j"
    R"j("disk","source":"orion-watcher-host","target":"/mnt/disk35936","threshold":"90","unit":)j"
    R"j("percent","value":"93.5"},"timestamp":"2026-12-07T05:12:57.004366Z","version":"1.0"})j";
constexpr const char* kDecision =
    R"j({"autonomy_level":"N0","decision_id":"c3a55820-45a9-4bef-9100-6cab90b21df2",)j"
    R"j("decision_type":"NO_ACTION","incident_id":"550c3c31-98a8-8ec8-9afd-4d11357477ba",)j"
    R"j("reasoning":"N0 mode (observe only): detected metric_anomaly (severity=medium, events=1) )j"
    R"j(on node bench-35936: disk_used_percent of /mnt/disk35936 is 93.5% (warning threshold )j"
    R"j(90%). No action taken: send_notification for /mnt/disk35936 (rule disk-filling, step 1 )j"
    R"j(of 1) would be proposed, but autonomy level N0 only observes. Gates: autonomy BLOCK (N0 )j"
    R"j(only observes); classification pass; incident_cooldown pass; action_cooldown pass; )j"
    R"j(rate_limit pass; circuit_breaker skip; budget skip; approval skip.","requires_approval":)j"
    R"j(false,"safety_classification":"SAFE","source":"orion-brain","tags":{"action":)j"
    R"j("send_notification","decided_by":"autonomy","gate.action_cooldown":"pass: )j"
    R"j(send_notification/default: never ran (cooldown 10 s)","gate.approval":"skip: not )j"
    R"j(required","gate.autonomy":"block: N0 only observes","gate.budget":"skip: counts automatic )j"
    R"j(actions only","gate.circuit_breaker":"skip: send_notification is not in )j"
    R"j(circuit_breaker.applies_to","gate.classification":"pass: send_notification is SAFE )j"
    R"j((policies/actions_safe.yaml:20)","gate.incident_cooldown":"pass: no action proposed for )j"
    R"j(this incident in the last 30 s","gate.rate_limit":"pass: send_notification: 0 of 5 (5 )j"
    R"j(per minute)","gates":"autonomy=block,classification=pass,incident_cooldown=pass,)j"
    R"j(action_cooldown=pass,rate_limit=pass,circuit_breaker=skip,budget=skip,approval=skip",)j"
    R"j("ladder_failures":"0","node":"bench-35936","policy":"fnv1a64:77219939e560e262","rule":)j"
    R"j("disk-filling","rule_step":"1/1","target":"/mnt/disk35936"},"timestamp":)j"
    R"j("2026-12-07T05:12:57.071469Z","version":"1.0"})j";

// One consumer group reading one stream; `forward_to` (a type, or "") names what its handler
// publishes for each document it reads.
struct GroupFlow {
  const char* type;
  const char* group;
  const char* forward_to;
};
constexpr GroupFlow kFlows[] = {
    {"event", "guardian", "incident"}, {"event", "memory", ""},   {"incident", "brain", "decision"},
    {"incident", "memory", ""},        {"incident", "bench", ""}, {"decision", "memory", ""},
    {"decision", "bench", ""},
};
constexpr size_t kBatch = 128;  // the bus's read_count, and the writer's largest pipeline here

std::string streamKey(std::string_view type) { return "floor:" + std::string(type) + "s"; }

const char* documentOf(std::string_view type) {
  if (type == "event") return kEvent;
  if (type == "incident") return kIncident;
  return kDecision;
}

struct RunFigures {
  double events_per_s = 0;
  double redis_cpu_us = 0;   // per event
  double client_cpu_us = 0;  // this process, per event
  bool complete = false;     // every group read every document
};

int fail(const std::string& what, const Status& status) {
  std::fprintf(stderr, "redis_floor_bench: %s: %s\n", what.c_str(), status.toString().c_str());
  return 1;
}

// When a run began, and the CPU used by then.
struct Start {
  std::chrono::steady_clock::time_point time;
  double redis_cpu = 0;
  double own_cpu = 0;
  static Start now(const RedisServer& redis) {
    return {std::chrono::steady_clock::now(), bench::redisCpuSeconds(redis),
            bench::processCpuSeconds()};
  }
};

// Waits until every counter reaches `n` (or two minutes pass), then the run's figures.
RunFigures measure(const RedisServer& redis, const std::vector<std::atomic<size_t>>& handled,
                   size_t n, const Start& start) {
  RunFigures figures;
  auto give_up = std::chrono::steady_clock::now() + 120s;
  while (std::chrono::steady_clock::now() < give_up) {
    bool all = true;
    for (const auto& count : handled) all = all && count.load() >= n;
    if (all) {
      figures.complete = true;
      break;
    }
    std::this_thread::sleep_for(200us);
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start.time).count();
  double events = static_cast<double>(n);
  figures.events_per_s = figures.complete ? events / seconds : 0;
  figures.client_cpu_us = (bench::processCpuSeconds() - start.own_cpu) * 1e6 / events;
  figures.redis_cpu_us = (bench::redisCpuSeconds(redis) - start.redis_cpu) * 1e6 / events;
  return figures;
}

std::vector<std::string_view> xadd(const std::string& key, const std::string& max_length,
                                   std::string_view document) {
  return {"XADD", key, "MAXLEN", "~", max_length, "*", "data", document};
}

// The loop one (stream, group) thread runs in the protocol run.
void readGroup(bus::RedisConnection& connection, const GroupFlow& flow,
               const std::string& max_length, std::atomic<size_t>& handled,
               const std::atomic<bool>& stop) {
  const std::string key = streamKey(flow.type);
  const std::string forward_key = *flow.forward_to ? streamKey(flow.forward_to) : "";
  const std::string count = std::to_string(kBatch);
  std::vector<std::string> acks;
  while (!stop.load()) {
    std::vector<std::string_view> ack = {"XACK", key, flow.group};
    for (const std::string& id : acks) ack.push_back(id);
    if (!acks.empty()) connection.append(ack);
    connection.append({"XREADGROUP", "GROUP", flow.group, "floor-1", "COUNT", count, "BLOCK", "100",
                       "STREAMS", key, ">"});
    if (!acks.empty() && !connection.reply()) return;
    acks.clear();
    Result<bus::ReplyPtr> reply = connection.reply();
    if (!reply) return;
    Result<std::vector<bus::StreamEntry>> entries = bus::parseReadReply(reply->get());
    if (!entries || entries->empty()) continue;
    if (!forward_key.empty()) {
      for (size_t i = 0; i < entries->size(); ++i) {
        connection.append(xadd(forward_key, max_length, documentOf(flow.forward_to)));
      }
      for (size_t i = 0; i < entries->size(); ++i) {
        if (!connection.reply()) return;
      }
    }
    for (bus::StreamEntry& entry : *entries) acks.push_back(std::move(entry.id));
    handled.fetch_add(entries->size());
  }
}

Result<RunFigures> runProtocol(const RedisServer& redis, size_t n) {
  bus::RedisEndpoint endpoint;
  endpoint.port = redis.port();
  const std::string max_length = std::to_string(n + 1000);
  for (const GroupFlow& flow : kFlows) {
    (void)redis.cli({"XGROUP", "CREATE", streamKey(flow.type), flow.group, "$", "MKSTREAM"});
  }
  std::vector<std::atomic<size_t>> handled(std::size(kFlows));
  std::atomic<bool> stop{false};
  std::vector<std::unique_ptr<bus::RedisConnection>> connections;
  for (size_t i = 0; i <= std::size(kFlows); ++i) {
    auto connection = bus::RedisConnection::open(endpoint);
    if (!connection) return connection.status();
    connections.push_back(std::move(connection).value());
  }
  std::vector<std::thread> readers;
  for (size_t i = 0; i < std::size(kFlows); ++i) {
    readers.emplace_back(
        [&, i] { readGroup(*connections[i], kFlows[i], max_length, handled[i], stop); });
  }
  const Start start = Start::now(redis);
  auto publish = [&]() -> Status {
    bus::RedisConnection& publisher = *connections.back();
    const std::string events = streamKey("event");
    for (size_t sent = 0; sent < n;) {
      size_t batch = std::min(kBatch, n - sent);
      for (size_t i = 0; i < batch; ++i) publisher.append(xadd(events, max_length, kEvent));
      for (size_t i = 0; i < batch; ++i) {
        if (Result<bus::ReplyPtr> reply = publisher.reply(); !reply) return reply.status();
      }
      sent += batch;
    }
    return Status::ok();
  };
  Status published = publish();
  RunFigures figures = published ? measure(redis, handled, n, start) : RunFigures{};
  stop.store(true);
  for (std::thread& reader : readers) reader.join();
  if (!published) return published;
  return figures;
}

// The handler of one group in the bus run: counts, and passes a fresh document on.
bus::Handler passOn(bus::Bus& bus, const GroupFlow& flow, const Json& incident,
                    const Json& decision, std::atomic<size_t>& handled) {
  std::string forward_to = flow.forward_to;
  return [&bus, &incident, &decision, &handled, forward_to](const bus::Delivery& delivery) {
    if (forward_to == "incident") {
      Json next = incident;
      next["incident_id"] = newUuid();
      next["event_ids"][0] = (*delivery.document)["event_id"];
      ORION_RETURN_IF_ERROR(bus.publish("incident", std::move(next)).status());
    } else if (forward_to == "decision") {
      Json next = decision;
      next["decision_id"] = newUuid();
      next["incident_id"] = (*delivery.document)["incident_id"];
      ORION_RETURN_IF_ERROR(bus.publish("decision", std::move(next)).status());
    }
    handled.fetch_add(1);
    return Status::ok();
  };
}

Result<RunFigures> runBus(const RedisServer& redis, size_t n, const std::filesystem::path& dir) {
  auto contracts = contracts::ContractRegistry::loadEmbedded();
  if (!contracts) return contracts.status();
  RealClock clock;
  MetricsRegistry metrics;
  bus::RedisBusOptions options;
  options.endpoint.port = redis.port();
  options.max_stream_length = n + 1000;
  options.local_queue_capacity = n + 1000;
  options.state_dir = (dir / "bus").string();  // dedup windows persisted, as in redis_bench
  options.node = "bench";
  auto bus = bus::makeRedisBus(options, *contracts, clock, metrics);
  if (!bus) return bus.status();
  Result<Json> event = parseJson(kEvent);
  Result<Json> incident = parseJson(kIncident);
  Result<Json> decision = parseJson(kDecision);
  if (!event || !incident || !decision) return internalError("a sample document is not JSON");
  std::vector<std::atomic<size_t>> handled(std::size(kFlows));
  std::vector<std::unique_ptr<bus::Subscription>> subscriptions;
  for (size_t i = 0; i < std::size(kFlows); ++i) {
    const GroupFlow& flow = kFlows[i];
    auto subscription = (*bus)->subscribe({flow.type, flow.group, std::string(flow.group) + "-1"},
                                          passOn(**bus, flow, *incident, *decision, handled[i]));
    if (!subscription) return subscription.status();
    subscriptions.push_back(std::move(subscription).value());
  }
  std::this_thread::sleep_for(300ms);  // the subscriptions create their groups
  // Events are built before the clock starts, as redis_bench does.
  std::vector<Json> events(n, *event);
  for (Json& document : events) document["event_id"] = newUuid();
  const Start start = Start::now(redis);
  for (Json& document : events) {
    while (true) {
      auto published = (*bus)->publish("event", std::move(document));
      if (published) break;
      if (published.status().code() != StatusCode::kResourceExhausted) return published.status();
    }
  }
  RunFigures figures = measure(redis, handled, n, start);
  for (auto& subscription : subscriptions) subscription->stop();
  return figures;
}

}  // namespace

int main(int argc, char** argv) {
  size_t n = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 20000;
  if (n == 0) n = 20000;
  (void)configureLogging({"warn", LogFormat::kJson});
  signal(SIGPIPE, SIG_IGN);  // as the daemon does

  testing::TempDir dir;
  std::filesystem::create_directories(dir.path() / "redis");
  auto redis = RedisServer::start({dir.path() / "redis", std::nullopt, {}, true});
  if (!redis) return fail("starting redis-server", redis.status());

  std::string runs = argc > 2 ? argv[2] : "both";
  Result<RunFigures> protocol = RunFigures{};
  Result<RunFigures> on_bus = RunFigures{};
  if (runs != "bus") protocol = runProtocol(**redis, n);
  if (!protocol) return fail("protocol run", protocol.status());
  (void)(*redis)->cli({"FLUSHALL"});
  if (runs != "protocol") on_bus = runBus(**redis, n, dir.path());
  if (!on_bus) return fail("bus run", on_bus.status());

  std::printf(
      "{\"events\": %zu, \"group_deliveries_per_event\": %zu, \"xadds_per_event\": 3, "
      "\"protocol_events_per_s\": %.0f, \"protocol_redis_cpu_us_per_event\": %.1f, "
      "\"protocol_client_cpu_us_per_event\": %.1f, \"bus_events_per_s\": %.0f, "
      "\"bus_redis_cpu_us_per_event\": %.1f, \"bus_orion_cpu_us_per_event\": %.1f}\n",
      n, std::size(kFlows), protocol->events_per_s, protocol->redis_cpu_us, protocol->client_cpu_us,
      on_bus->events_per_s, on_bus->redis_cpu_us, on_bus->client_cpu_us);
  bool complete = (runs == "bus" || protocol->complete) && (runs == "protocol" || on_bus->complete);
  return complete ? 0 : 1;
}
