// A trail in a temporary directory with a fault-injecting file layer and a simulated clock, and
// helpers to read it back: what most memory tests start from.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "common/ids.h"
#include "common/metrics.h"
#include "common/time.h"
#include "fakes.h"
#include "memory/audit_record.h"
#include "memory/audit_writer.h"
#include "memory/memory.h"
#include "memory/memory_metrics.h"
#include "memory/segments.h"
#include "testing/temp_dir.h"
#include "testing/wait.h"

namespace orion::memory::testing {

using orion::testing::readFile;
using orion::testing::TempDir;
using orion::testing::waitUntil;

inline Json eventDoc(const std::string& id, const std::string& service = "") {
  Json data = {{"resource", "/"}, {"node", "nas"}};
  if (!service.empty()) data["service_name"] = service;
  return {{"version", "1.0"},
          {"event_id", id},
          {"event_type", "service_down"},
          {"severity", "warning"},
          {"data", data}};
}

inline Json incidentDoc(const std::string& id, const std::vector<std::string>& events,
                        const std::string& state = "open") {
  return {{"version", "1.0"},    {"incident_id", id}, {"incident_type", "service_outage"},
          {"event_ids", events}, {"state", state},    {"tags", {{"node", "nas"}}}};
}

inline Json decisionDoc(const std::string& id, const std::string& incident) {
  return {{"version", "1.0"},
          {"decision_id", id},
          {"incident_id", incident},
          {"decision_type", "REQUEST_APPROVAL"}};
}

inline Json approvalRequestDoc(const std::string& id, const std::string& decision,
                               const std::string& expires_at) {
  return {{"version", "1.0"},
          {"approval_request_id", id},
          {"decision_id", decision},
          {"expires_at", expires_at}};
}

inline Json approvalDecisionDoc(const std::string& id, const std::string& request,
                                const std::string& decision) {
  return {{"version", "1.0"},
          {"approval_id", id},
          {"approval_request_id", request},
          {"decision_id", decision},
          {"decision", "approve"}};
}

inline Json actionDoc(const std::string& id, const std::string& decision) {
  return {{"version", "1.0"},        {"action_id", id},
          {"decision_id", decision}, {"action_type", "restart_service"},
          {"state", "executing"},    {"parameters", {{"service_name", "jellyfin"}}}};
}

inline Json outcomeDoc(const std::string& id, const std::string& action) {
  return {{"version", "1.0"}, {"outcome_id", id}, {"action_id", action}, {"status", "succeeded"}};
}

class TrailHarness {
 public:
  TrailHarness() : fs(std::make_shared<FaultyFs>(faults)), metrics(registry) {}

  std::filesystem::path dir() const { return temp.path() / "audit"; }

  WriterOptions options() const {
    WriterOptions o;
    o.dir = dir();
    o.node = "core";
    o.sync_interval = Duration(0);
    o.retry_initial = std::chrono::milliseconds(1);
    o.retry_max = std::chrono::milliseconds(5);
    return o;
  }

  std::unique_ptr<AuditWriter> open(WriterOptions o) {
    Result<std::unique_ptr<AuditWriter>> writer =
        AuditWriter::open(std::move(o), fs, clock, metrics);
    EXPECT_TRUE(writer) << writer.status().toString();
    return writer ? std::move(writer).value() : nullptr;
  }
  std::unique_ptr<AuditWriter> open() { return open(options()); }

  // Submits and waits until durable; the seq.
  static uint64_t append(AuditWriter& writer, std::string_view type, const Json& document,
                         const std::string& entry_id = "1-0") {
    Result<Submitted> submitted = writer.submit(type, entry_id, document);
    EXPECT_TRUE(submitted) << submitted.status().toString();
    if (!submitted) return 0;
    Status durable = writer.waitDurable(submitted->seq);
    EXPECT_TRUE(durable) << durable.toString();
    return submitted->seq;
  }

  std::vector<SegmentInfo> segments() const {
    auto real = makePosixAuditFs();
    Result<std::vector<SegmentInfo>> listed = listSegments(*real, dir());
    EXPECT_TRUE(listed);
    return listed ? *listed : std::vector<SegmentInfo>{};
  }

  // Every whole record of every segment, in order.
  std::vector<AuditRecord> records() const {
    std::vector<AuditRecord> out;
    for (const SegmentInfo& s : segments()) {
      std::string text = readFile(dir() / s.name);
      size_t start = 0;
      while (true) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos) break;
        Result<AuditRecord> record = parseRecord(std::string_view(text).substr(start, end - start));
        EXPECT_TRUE(record) << record.status().toString();
        if (record) out.push_back(std::move(record).value());
        start = end + 1;
      }
    }
    return out;
  }

  std::vector<AuditRecord> recordsOf(std::string_view type) const {
    std::vector<AuditRecord> out;
    for (AuditRecord& r : records()) {
      if (r.type == type) out.push_back(std::move(r));
    }
    return out;
  }

  VerifyReport verify(std::optional<std::string> key = std::nullopt) const {
    Result<VerifyReport> report = verifyTrail({dir(), std::move(key)});
    EXPECT_TRUE(report) << report.status().toString();
    return report ? *report : VerifyReport{};
  }

  std::filesystem::path lastSegment() const { return dir() / segments().back().name; }

  void appendRaw(const std::filesystem::path& file, std::string_view bytes) const {
    std::ofstream out(file, std::ios::binary | std::ios::app);
    out << bytes;
  }

  // Rewrites a file with `edit` applied to its content.
  template <typename Edit>
  void editFile(const std::filesystem::path& file, Edit edit) const {
    std::string text = readFile(file);
    edit(text);
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << text;
  }

  TempDir temp;
  FsFaults faults;
  std::shared_ptr<FaultyFs> fs;
  SimulatedClock clock{*parseRfc3339("2026-01-14T12:00:00Z")};
  MetricsRegistry registry;
  MemoryMetrics metrics;
};

}  // namespace orion::memory::testing
