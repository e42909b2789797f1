// Audit trail bench: builds a trail of N records with the real group-commit writer on the real
// disk, then measures, and prints one JSON object:
//
//   group_commit      durable appends/s: P producer threads each submit windows of W records
//                     (a bus consumer's batch) and wait until the last is durable, as memory's
//                     bus handlers do; with batch and ack-latency figures
//   fsync_per_record  the same writer on the same disk with one record per fdatasync
//                     (one producer submitting and waiting record by record)
//   verify            orion audit verify over the whole trail: records/s and MB/s
//   index             reindex over the whole trail: records/s and index bytes per record
//   query_incident    causal chain by incident id on the N-record trail: p50/p99/max ms
//
// Documents: chains of 2 events → incident → decision → action → outcome, every tenth with an
// approval request and decision (~450 bytes per record).
//
// Usage: audit_bench [--records N] [--producers P] [--window W] [--dir DIR] [--keep]
//                    [--fsync-records M] [--queries Q]
// Defaults: 1,000,000 records, 8 producers, windows of 256, a temporary directory under
// $TMPDIR (deleted unless --keep), 2000 fsync-per-record records, 1000 queries.
// Run from a Release build on the disk the trail will live on.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/ids.h"
#include "common/json.h"
#include "common/logging.h"
#include "common/metrics.h"
#include "common/time.h"
#include "memory/audit_writer.h"
#include "memory/memory.h"
#include "memory/memory_metrics.h"

namespace {

using namespace orion;
using namespace orion::memory;
using namespace std::chrono_literals;

struct Args {
  uint64_t records = 1'000'000;
  int producers = 8;
  size_t window = 256;
  std::string dir;
  bool keep = false;
  uint64_t fsync_records = 2000;
  size_t queries = 1000;
};

Args parseArgs(int argc, char** argv) {
  Args args;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "audit_bench: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--records") {
      args.records = std::stoull(next());
    } else if (a == "--producers") {
      args.producers = std::stoi(next());
    } else if (a == "--window") {
      args.window = std::stoul(next());
    } else if (a == "--dir") {
      args.dir = next();
    } else if (a == "--keep") {
      args.keep = true;
    } else if (a == "--fsync-records") {
      args.fsync_records = std::stoull(next());
    } else if (a == "--queries") {
      args.queries = std::stoul(next());
    } else {
      std::fprintf(stderr,
                   "usage: audit_bench [--records N] [--producers P] [--window W] [--dir DIR] "
                   "[--keep] [--fsync-records M] [--queries Q]\n");
      std::exit(2);
    }
  }
  return args;
}

// A fast, unique, UUID-shaped id: the bench measures the trail, not the random number generator.
std::string idOf(uint64_t producer, uint64_t n) {
  char text[40];
  std::snprintf(text, sizeof text, "%08llx-%04llx-4%03llx-8%03llx-%012llx",
                static_cast<unsigned long long>(n & 0xffffffff),
                static_cast<unsigned long long>((n >> 32) & 0xffff),
                static_cast<unsigned long long>(producer & 0xfff),
                static_cast<unsigned long long>((n >> 48) & 0xfff),
                static_cast<unsigned long long>(n * 0x9e3779b97f4a7c15ULL & 0xffffffffffffULL));
  return text;
}

// The documents of one causal chain, in publication order: (type, document).
std::vector<std::pair<std::string_view, Json>> chainOf(uint64_t producer, uint64_t chain,
                                                       const std::string& now, bool approval) {
  uint64_t base = chain * 16;
  std::string e1 = idOf(producer, base), e2 = idOf(producer, base + 1);
  std::string incident = idOf(producer, base + 2), decision = idOf(producer, base + 3);
  std::string action = idOf(producer, base + 4), outcome = idOf(producer, base + 5);
  std::string service = "service-" + std::to_string(chain % 50);
  std::string node = "node-" + std::to_string(producer);
  auto event = [&](const std::string& id, double value) {
    return Json{{"version", "1.0"},
                {"event_id", id},
                {"timestamp", now},
                {"source", "orion-watcher-host"},
                {"event_type", "service_down"},
                {"severity", "error"},
                {"data",
                 {{"node", node},
                  {"service_name", service},
                  {"resource_type", "container"},
                  {"value", value},
                  {"detail", "health check failed: connection refused on port 8096"}}},
                {"tags", {{"node", node}}}};
  };
  std::vector<std::pair<std::string_view, Json>> out;
  out.emplace_back("event", event(e1, 1));
  out.emplace_back("event", event(e2, 2));
  out.emplace_back("incident", Json{{"version", "1.0"},
                                    {"incident_id", incident},
                                    {"timestamp", now},
                                    {"source", "orion-guardian"},
                                    {"incident_type", "service_outage"},
                                    {"severity", "high"},
                                    {"event_ids", {e1, e2}},
                                    {"correlation_window", {{"start", now}, {"end", now}}},
                                    {"state", "open"},
                                    {"tags", {{"node", node}}}});
  out.emplace_back(
      "decision",
      Json{{"version", "1.0"},
           {"decision_id", decision},
           {"timestamp", now},
           {"source", "orion-brain"},
           {"incident_id", incident},
           {"decision_type", approval ? "REQUEST_APPROVAL" : "EXECUTE_SAFE_ACTION"},
           {"safety_classification", approval ? "RISKY" : "SAFE"},
           {"requires_approval", approval},
           {"reasoning", "rule restart-on-outage matched; every gate passed"},
           {"proposed_action",
            {{"action_type", "restart_service"}, {"parameters", {{"service_name", service}}}}}});
  if (approval) {
    std::string request = idOf(producer, base + 6), answer = idOf(producer, base + 7);
    out.emplace_back("approval_request", Json{{"version", "1.0"},
                                              {"approval_request_id", request},
                                              {"timestamp", now},
                                              {"source", "orion-brain"},
                                              {"decision_id", decision},
                                              {"incident_id", incident},
                                              {"action_type", "restart_service"},
                                              {"risk_level", "RISKY"},
                                              {"expires_at", now}});
    out.emplace_back("approval_decision", Json{{"version", "1.0"},
                                               {"approval_id", answer},
                                               {"timestamp", now},
                                               {"source", "orion-approval-cli"},
                                               {"approval_request_id", request},
                                               {"decision_id", decision},
                                               {"decision", "approve"},
                                               {"admin_identity", "admin"},
                                               {"reason", "known flaky container"}});
  }
  out.emplace_back("action", Json{{"version", "1.0"},
                                  {"action_id", action},
                                  {"timestamp", now},
                                  {"source", "orion-brain"},
                                  {"decision_id", decision},
                                  {"action_type", "restart_service"},
                                  {"safety_classification", "SAFE"},
                                  {"state", "executing"},
                                  {"parameters", {{"service_name", service}}}});
  out.emplace_back("outcome", Json{{"version", "1.0"},
                                   {"outcome_id", outcome},
                                   {"timestamp", now},
                                   {"source", "orion-commander"},
                                   {"action_id", action},
                                   {"status", "succeeded"},
                                   {"execution_time_ms", 840}});
  return out;
}

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  size_t index = static_cast<size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(index, values.size() - 1)];
}

double seconds(MonoTime from, MonoTime to) {
  return std::chrono::duration<double>(to - from).count();
}

std::unique_ptr<AuditWriter> openWriter(const std::filesystem::path& dir, const Clock& clock,
                                        MemoryMetrics& metrics, Duration sync_interval) {
  WriterOptions options;
  options.dir = dir;
  options.node = "bench";
  options.sync_interval = sync_interval;
  Result<std::unique_ptr<AuditWriter>> writer =
      AuditWriter::open(options, makePosixAuditFs(), clock, metrics);
  if (!writer) {
    std::fprintf(stderr, "audit_bench: %s\n", writer.status().toString().c_str());
    std::exit(1);
  }
  return std::move(writer).value();
}

}  // namespace

int main(int argc, char** argv) {
  Args args = parseArgs(argc, argv);
  LogSettings quiet;
  quiet.level = "error";
  configureLogging(quiet).ignore();  // a bench with default settings cannot fail this
  RealClock clock;
  std::filesystem::path root = args.dir.empty()
                                   ? std::filesystem::temp_directory_path() /
                                         ("orion-audit-bench-" + std::to_string(::getpid()))
                                   : std::filesystem::path(args.dir);
  std::filesystem::path trail = root / "trail";
  std::filesystem::path fsync_trail = root / "fsync";
  std::filesystem::create_directories(root);

  // ---- group commit: the N-record trail -------------------------------------------------------
  MetricsRegistry registry;
  MemoryMetrics metrics(registry);
  auto writer = openWriter(trail, clock, metrics, 2ms);
  std::string now = formatRfc3339(clock.now());
  std::atomic<uint64_t> submitted{0};
  std::mutex sample_mutex;
  std::vector<double> ack_ms;
  std::vector<std::string> incidents;  // one in 100, for the queries
  MonoTime started = clock.monotonic();
  std::vector<std::thread> producers;
  for (int p = 0; p < args.producers; ++p) {
    producers.emplace_back([&, p] {
      std::vector<double> my_acks;
      std::vector<std::string> my_incidents;
      uint64_t chain = 0;
      std::vector<std::pair<std::string_view, Json>> pending;
      size_t next = 0;
      while (submitted.load(std::memory_order_relaxed) < args.records) {
        MonoTime window_start = clock.monotonic();
        uint64_t last = 0;
        for (size_t i = 0; i < args.window; ++i) {
          if (next == pending.size()) {
            pending = chainOf(static_cast<uint64_t>(p), chain, now, chain % 10 == 0);
            if (chain % 100 == 0) my_incidents.push_back(pending[2].second["incident_id"]);
            ++chain;
            next = 0;
          }
          Result<Submitted> s = writer->submit(pending[next].first, "0-0", pending[next].second);
          ++next;
          if (!s) {
            std::fprintf(stderr, "audit_bench: %s\n", s.status().toString().c_str());
            std::exit(1);
          }
          last = s->seq;
          if (submitted.fetch_add(1, std::memory_order_relaxed) + 1 >= args.records) break;
        }
        if (Status durable = writer->waitDurable(last); !durable) {
          std::fprintf(stderr, "audit_bench: %s\n", durable.toString().c_str());
          std::exit(1);
        }
        my_acks.push_back(seconds(window_start, clock.monotonic()) * 1000);
      }
      std::lock_guard lock(sample_mutex);
      ack_ms.insert(ack_ms.end(), my_acks.begin(), my_acks.end());
      incidents.insert(incidents.end(), my_incidents.begin(), my_incidents.end());
    });
  }
  for (auto& t : producers) t.join();
  double group_seconds = seconds(started, clock.monotonic());
  uint64_t durable_records = writer->durableSeq();
  writer->close(clock.monotonic() + 10s);
  double batches = registry.read("orion_memory_batches_total");
  writer.reset();

  // ---- one fsync per record, same writer, same disk ------------------------------------------
  MetricsRegistry fsync_registry;
  MemoryMetrics fsync_metrics(fsync_registry);
  auto single = openWriter(fsync_trail, clock, fsync_metrics, 0ms);
  MonoTime fsync_started = clock.monotonic();
  for (uint64_t i = 0; i < args.fsync_records; ++i) {
    std::vector<std::pair<std::string_view, Json>> chain = chainOf(999, i, now, false);
    Result<Submitted> s = single->submit(chain[0].first, "0-0", chain[0].second);
    if (!s || !single->waitDurable(s->seq)) return 1;
  }
  double fsync_seconds = seconds(fsync_started, clock.monotonic());
  single->close(clock.monotonic() + 10s);
  single.reset();

  // ---- verification -------------------------------------------------------------------------
  Result<VerifyReport> verified = verifyTrail({trail, std::nullopt});
  if (!verified || !verified->ok) {
    std::fprintf(stderr, "audit_bench: the trail does not verify\n");
    return 1;
  }

  // ---- index ---------------------------------------------------------------------------------
  Result<ReindexReport> indexed = reindexTrail({trail, std::nullopt});
  if (!indexed) {
    std::fprintf(stderr, "audit_bench: %s\n", indexed.status().toString().c_str());
    return 1;
  }

  // ---- query by incident id ------------------------------------------------------------------
  Result<std::unique_ptr<AuditReader>> reader = AuditReader::open({trail, std::nullopt});
  if (!reader) return 1;
  std::mt19937_64 random(42);
  std::shuffle(incidents.begin(), incidents.end(), random);
  if (incidents.size() > args.queries) incidents.resize(args.queries);
  std::vector<double> query_ms;
  size_t chain_records = 0;
  for (const std::string& id : incidents) {
    MonoTime t0 = clock.monotonic();
    Result<CausalChain> chain = (*reader)->causalChain(id);
    query_ms.push_back(seconds(t0, clock.monotonic()) * 1000);
    if (!chain || chain->empty()) {
      std::fprintf(stderr, "audit_bench: incident %s not found\n", id.c_str());
      return 1;
    }
    chain_records += chain->ordered().size();
  }
  reader->reset();

  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  Json out = {
      {"records", durable_records},
      {"trail_bytes", verified->bytes},
      {"segments", verified->segments},
      {"group_commit",
       {{"producers", args.producers},
        {"window", args.window},
        {"seconds", group_seconds},
        {"records_per_s", static_cast<double>(durable_records) / group_seconds},
        {"batches", batches},
        {"records_per_batch", batches > 0 ? static_cast<double>(durable_records) / batches : 0},
        {"window_ack_p50_ms", percentile(ack_ms, 0.5)},
        {"window_ack_p99_ms", percentile(ack_ms, 0.99)}}},
      {"fsync_per_record",
       {{"records", args.fsync_records},
        {"seconds", fsync_seconds},
        {"records_per_s", static_cast<double>(args.fsync_records) / fsync_seconds}}},
      {"verify",
       {{"seconds", verified->seconds},
        {"records_per_s", static_cast<double>(verified->records) / verified->seconds},
        {"mb_per_s", static_cast<double>(verified->bytes) / verified->seconds / 1e6}}},
      {"index",
       {{"seconds", indexed->seconds},
        {"records_per_s", static_cast<double>(indexed->records) / indexed->seconds},
        {"index_bytes", indexed->index_bytes},
        {"bytes_per_record",
         static_cast<double>(indexed->index_bytes) / static_cast<double>(indexed->records)}}},
      {"query_incident",
       {{"queries", query_ms.size()},
        {"records_per_chain",
         query_ms.empty() ? 0.0 : static_cast<double>(chain_records) / query_ms.size()},
        {"p50_ms", percentile(query_ms, 0.5)},
        {"p99_ms", percentile(query_ms, 0.99)},
        {"max_ms", query_ms.empty() ? 0.0 : *std::max_element(query_ms.begin(), query_ms.end())}}},
      {"peak_rss_mib", static_cast<double>(usage.ru_maxrss) / 1024.0},
      {"dir", root.string()}};
  std::printf("%s\n", out.dump(2).c_str());
  if (!args.keep) std::filesystem::remove_all(root);
  return 0;
}
