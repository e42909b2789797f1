// Reading the audit trail the way a test checks the pipeline end to end: the complete lines of
// memory's audit segments as (type, document) records, and the first decision whose incident and
// one of whose events are all in it. Used by the e2e tests and the Redis deployment-shape tests.
#pragma once

#include <algorithm>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"
#include "testing/temp_dir.h"

namespace orion::testing {

struct AuditRecord {
  std::string type;
  Json document;
};

// The audit segments of `dir` (<state_dir>/audit), oldest first (their names sort by sequence).
inline std::vector<std::filesystem::path> auditSegments(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> segments;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    std::string name = entry.path().filename().string();
    if (name.rfind("audit-", 0) == 0 && entry.path().extension() == ".jsonl") {
      segments.push_back(entry.path());
    }
  }
  std::sort(segments.begin(), segments.end());
  return segments;
}

// Every segment's text, concatenated in order.
inline std::string readAuditText(const std::filesystem::path& dir) {
  std::string text;
  for (const auto& segment : auditSegments(dir)) text += readFile(segment);
  return text;
}

// The audit trail's complete lines, every segment in order (a line still being written is
// ignored), as records. The record layout is memory's (docs/audit_log_format.md): the contract
// type under "type" and the document under "document".
inline std::vector<AuditRecord> readAudit(const std::filesystem::path& dir) {
  std::vector<AuditRecord> records;
  for (const auto& segment : auditSegments(dir)) {
    std::string text = readFile(segment);
    size_t pos = 0;
    while (true) {
      size_t end = text.find('\n', pos);
      if (end == std::string::npos) break;
      auto parsed = parseJson(std::string_view(text).substr(pos, end - pos));
      pos = end + 1;
      if (!parsed || !parsed->is_object()) continue;
      const Json& record = *parsed;
      if (!record.contains("type") || !record["type"].is_string()) continue;
      if (!record.contains("document") || !record["document"].is_object()) continue;
      records.push_back({record["type"].get<std::string>(), record["document"]});
    }
  }
  return records;
}

inline const AuditRecord* findById(const std::vector<AuditRecord>& records, std::string_view type,
                                   std::string_view id_field, const std::string& id) {
  for (const auto& r : records) {
    if (r.type == type && r.document.value(std::string(id_field), "") == id) return &r;
  }
  return nullptr;
}

// A decision whose incident and one of that incident's events are all in the audit trail.
struct Chain {
  Json event, incident, decision;
};
inline std::optional<Chain> findChain(const std::vector<AuditRecord>& records) {
  for (const auto& decision : records) {
    if (decision.type != "decision") continue;
    const auto* incident =
        findById(records, "incident", "incident_id", decision.document.value("incident_id", ""));
    if (incident == nullptr || !incident->document.contains("event_ids")) continue;
    for (const auto& event_id : incident->document["event_ids"]) {
      if (!event_id.is_string()) continue;
      const auto* event = findById(records, "event", "event_id", event_id.get<std::string>());
      if (event != nullptr) return Chain{event->document, incident->document, decision.document};
    }
  }
  return std::nullopt;
}

}  // namespace orion::testing
