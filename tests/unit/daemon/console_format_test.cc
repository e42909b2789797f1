#include "daemon/console_format.h"

#include <gtest/gtest.h>

namespace orion::daemon {
namespace {

Json watcherEvent() {
  return Json{{"version", "1.0"},
              {"event_id", "6f1c1f4e-8d0b-4a59-9a5e-0f4f2b1d2c3a"},
              {"timestamp", "2026-01-14T12:00:01.123456Z"},
              {"source", "orion-watcher-host"},
              {"event_type", "metric_threshold_exceeded"},
              {"severity", "warning"},
              {"data",
               {{"node", "host"},
                {"resource_type", "disk"},
                {"resource", "/"},
                {"metric", "disk_used_percent"},
                {"value", 93.1},
                {"unit", "percent"},
                {"threshold", 90},
                {"level", "warning"},
                {"state", "firing"}}},
              {"tags", {{"node", "host"}}}};
}

TEST(ConsoleFormatTest, WatcherEventReadsAsMetricResourceValueAndThreshold) {
  EXPECT_EQ(formatDocumentLine("event", watcherEvent()),
            "12:00:01 EVENT    warning  disk_used_percent / = 93.1% (≥ 90 warning) node=host");
}

TEST(ConsoleFormatTest, RatioUnitsShowNoSuffix) {
  Json event = watcherEvent();
  event["data"]["metric"] = "load_per_cpu";
  event["data"]["resource"] = "host";
  event["data"]["unit"] = "ratio";
  event["data"]["value"] = 4.25;
  event["data"]["threshold"] = 4.0;
  EXPECT_EQ(formatDocumentLine("event", event),
            "12:00:01 EVENT    warning  load_per_cpu host = 4.25 (≥ 4 warning) node=host");
}

TEST(ConsoleFormatTest, NumbersShowAtMostTwoDecimals) {
  Json event = watcherEvent();
  event["data"]["value"] = 18.6234;
  event["data"]["threshold"] = 2.0;
  event["data"]["level"] = "critical";
  event["severity"] = "critical";
  EXPECT_EQ(formatDocumentLine("event", event),
            "12:00:01 EVENT    critical disk_used_percent / = 18.62% (≥ 2 critical) node=host");
}

TEST(ConsoleFormatTest, OtherEventsShowTheirTypeAndScalarData) {
  Json event = watcherEvent();
  event["event_type"] = "service_down";
  event["data"] = {{"service", "nginx"}, {"nested", {{"a", 1}}}};
  event.erase("tags");
  EXPECT_EQ(formatDocumentLine("event", event),
            "12:00:01 EVENT    warning  service_down service=nginx");
}

TEST(ConsoleFormatTest, IncidentShowsStateTypeSeverityAndEvents) {
  Json incident = {{"incident_id", "0a1b2c3d-0000-4000-8000-000000000000"},
                   {"timestamp", "2026-01-14T12:00:02Z"},
                   {"incident_type", "metric_anomaly"},
                   {"severity", "medium"},
                   {"state", "open"},
                   {"event_ids", {"6f1c1f4e-8d0b-4a59-9a5e-0f4f2b1d2c3a"}},
                   {"description", "disk / above 90%"}};
  EXPECT_EQ(formatDocumentLine("incident", incident),
            "12:00:02 INCIDENT opened metric_anomaly medium 0a1b2c3d events=1 - disk / above 90%");
}

TEST(ConsoleFormatTest, DecisionShowsTypeAndReasoning) {
  Json decision = {{"timestamp", "2026-01-14T12:00:02.5Z"},
                   {"decision_type", "NO_ACTION"},
                   {"reasoning", "N0 mode (observe only): metric_anomaly, medium, 1 event"}};
  EXPECT_EQ(formatDocumentLine("decision", decision),
            "12:00:02 DECISION NO_ACTION: N0 mode (observe only): metric_anomaly, medium, 1 event");
}

TEST(ConsoleFormatTest, DeadletterShowsStreamGroupAndReason) {
  Json deadletter = {{"timestamp", "2026-01-14T12:00:03Z"},
                     {"stream", "orion:events"},
                     {"consumer_group", "guardian"},
                     {"reason", "handler failed 5 times"}};
  EXPECT_EQ(formatDocumentLine("deadletter", deadletter),
            "12:00:03 DEADLTR  orion:events group=guardian - handler failed 5 times");
}

TEST(ConsoleFormatTest, OutcomeAndApprovalRequestLines) {
  Json outcome = {{"timestamp", "2026-01-14T12:00:04Z"},
                  {"status", "failed"},
                  {"action_id", "11111111-2222-4333-8444-555555555555"},
                  {"execution_time_ms", 12},
                  {"error", {{"code", "E1"}, {"message", "boom"}}}};
  EXPECT_EQ(formatDocumentLine("outcome", outcome),
            "12:00:04 OUTCOME  failed action 11111111 in 12 ms - boom");
  Json request = {{"timestamp", "2026-01-14T12:00:05Z"},
                  {"action_type", "restart_service"},
                  {"risk_level", "RISKY"},
                  {"expires_at", "2026-01-14T12:05:05Z"}};
  EXPECT_EQ(formatDocumentLine("approval_request", request),
            "12:00:05 APPROVAL requested restart_service RISKY expires 2026-01-14T12:05:05Z");
}

TEST(ConsoleFormatTest, MalformedDocumentsNeverThrow) {
  for (const Json& doc : {Json(), Json(42), Json::array({1, 2}), Json{{"timestamp", 5}},
                          Json{{"data", "text"}, {"tags", 3}, {"event_ids", "x"}},
                          Json{{"error", 1}, {"timestamp", "short"}}}) {
    for (auto type :
         {"event", "incident", "decision", "approval_request", "outcome", "deadletter", "other"}) {
      std::string line;
      EXPECT_NO_THROW(line = formatDocumentLine(type, doc)) << type << " " << doc.dump();
      EXPECT_EQ(line.substr(0, 8), "--:--:--") << type << " " << doc.dump();
    }
  }
}

TEST(ConsoleFormatTest, HeaderNamesNodeAutonomyBusAndPaths) {
  std::string header = formatHeader(
      {"host-1", "N0", "embedded", "/var/lib/orion", "/var/lib/orion/audit/audit.jsonl"});
  for (auto part : {"host-1", "N0", "embedded", "/var/lib/orion/audit/audit.jsonl"}) {
    EXPECT_NE(header.find(part), std::string::npos) << part;
  }
  EXPECT_EQ(header.back(), '\n');
}

TEST(ConsoleFormatTest, MaxOfFamilyReadsEverySeriesOfOneFamilyOnly) {
  std::string text =
      "# HELP orion_watcher_host_disk_used_percent Disk used\n"
      "# TYPE orion_watcher_host_disk_used_percent gauge\n"
      "orion_watcher_host_disk_used_percent{mount=\"/\"} 17.5\n"
      "orion_watcher_host_disk_used_percent{mount=\"/data\"} 81.25\n"
      "orion_watcher_host_disk_used_percent_other 99\n";
  EXPECT_DOUBLE_EQ(maxOfFamily(text, "orion_watcher_host_disk_used_percent"), 81.25);
  EXPECT_EQ(maxOfFamily(text, "orion_missing"), -1);
  EXPECT_EQ(maxOfFamily("", "x"), -1);
}

TEST(ConsoleFormatTest, StatusLineShowsReadingsTotalsAndDashesForMissing) {
  MetricsRegistry metrics;
  EXPECT_EQ(formatStatusLine(metrics, "12:00:10"),
            "12:00:10 STATUS   cpu -  mem -  load/cpu -  worst disk -  |  events -  incidents -  "
            "decisions -  open incidents -");
  metrics.gauge("orion_watcher_host_cpu_percent", "").set(12.34);
  metrics.gauge("orion_watcher_host_memory_percent", "").set(45);
  metrics.gauge("orion_watcher_host_load_per_cpu", "").set(0.5);
  metrics.gauge("orion_watcher_host_disk_used_percent", "", {{"mount", "/"}}).set(17);
  metrics.gauge("orion_watcher_host_disk_used_percent", "", {{"mount", "/d"}}).set(93.1);
  metrics.counter("orion_bus_published_total", "", {{"type", "event"}}).inc(3);
  metrics.counter("orion_bus_published_total", "", {{"type", "incident"}}).inc(2);
  metrics.counter("orion_bus_published_total", "", {{"type", "decision"}}).inc(2);
  metrics.gauge("orion_guardian_open_incidents", "").set(1);
  EXPECT_EQ(formatStatusLine(metrics, "12:00:20"),
            "12:00:20 STATUS   cpu 12.3%  mem 45.0%  load/cpu 0.50  worst disk 93.1%  |  events 3  "
            "incidents 2  decisions 2  open incidents 1");
}

TEST(ConsoleFormatTest, StatusLineSaysWhenTheRedisBusIsDegraded) {
  MetricsRegistry metrics;
  Gauge& up = metrics.gauge("orion_bus_redis_up", "");
  metrics.gauge("orion_bus_local_queue_length", "").set(5);
  up.set(1);
  EXPECT_EQ(formatStatusLine(metrics, "12:00:00").find("DEGRADED"), std::string::npos);
  up.set(0);
  std::string line = formatStatusLine(metrics, "12:00:00");
  EXPECT_TRUE(line.ends_with("  |  BUS DEGRADED: Redis unreachable, 5 publishes queued")) << line;
}

}  // namespace
}  // namespace orion::daemon
