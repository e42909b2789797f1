// The JSON and CSV forms of what memory.h returns.
#include "memory/index_fields.h"
#include "memory/memory.h"

namespace orion::memory {
namespace {

Json findingJson(const Finding& f) {
  Json json = {{"what", f.what}};
  if (f.seq > 0) json["seq"] = f.seq;
  if (!f.segment.empty()) {
    json["segment"] = f.segment;
    json["offset"] = f.offset;
  }
  return json;
}

Json recordsJson(const std::vector<AuditRecord>& records) {
  Json out = Json::array();
  for (const AuditRecord& r : records) out.push_back(toJson(r));
  return out;
}

// One CSV field: quoted when it holds a comma, a quote or a line break (RFC 4180).
void appendCsvField(std::string& out, std::string_view field) {
  bool quote = field.find_first_of(",\"\r\n") != std::string_view::npos;
  if (!quote) {
    out += field;
    return;
  }
  out += '"';
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

}  // namespace

Json toJson(const AuditRecord& r) {
  return {{"seq", r.seq},
          {"recorded_at", r.recorded_at},
          {"node", r.node},
          {"type", r.type},
          {"id", r.id},
          {"entry_id", r.entry_id},
          {"document", r.document},
          {"hash", r.hash},
          {"keyed", r.keyed},
          {"segment", r.segment},
          {"offset", r.offset}};
}

std::string csvHeader() {
  return "seq,recorded_at,node,type,id,entry_id,service,hash,document\r\n";
}

std::string csvRow(const AuditRecord& r) {
  std::string service = indexFieldsOf(r.type, r.document, r.node).service;
  std::string seq = std::to_string(r.seq);
  std::string out;
  for (std::string_view field :
       {std::string_view(seq), std::string_view(r.recorded_at), std::string_view(r.node),
        std::string_view(r.type), std::string_view(r.id), std::string_view(r.entry_id),
        std::string_view(service), std::string_view(r.hash)}) {
    appendCsvField(out, field);
    out += ',';
  }
  appendCsvField(out, dumpJson(r.document));
  out += "\r\n";
  return out;
}

Json toJson(const VerifyReport& report) {
  Json json = {{"ok", report.ok},
               {"records", report.records},
               {"first_seq", report.first_seq},
               {"last_seq", report.last_seq},
               {"segments", report.segments},
               {"bytes", report.bytes},
               {"keyed_records", report.keyed_records},
               {"unauthenticated_records", report.unauthenticated_records},
               {"seconds", report.seconds},
               {"records_per_second",
                report.seconds > 0 ? static_cast<double>(report.records) / report.seconds : 0.0}};
  json["failure"] = report.failure ? findingJson(*report.failure) : Json();
  json["repairs"] = Json::array();
  for (const Finding& f : report.repairs) json["repairs"].push_back(findingJson(f));
  json["notes"] = report.notes;
  json["head"] =
      report.head_present ? Json{{"seq", report.head_seq}, {"hash", report.head_hash}} : Json();
  json["checkpoint"] =
      report.checkpoint_present ? Json{{"first_seq", report.checkpoint_first_seq}} : Json();
  return json;
}

Json toJson(const ReindexReport& report) {
  return {{"records", report.records},
          {"index_bytes", report.index_bytes},
          {"bytes_per_record", report.records > 0 ? static_cast<double>(report.index_bytes) /
                                                        static_cast<double>(report.records)
                                                  : 0.0},
          {"seconds", report.seconds}};
}

std::vector<const AuditRecord*> CausalChain::ordered() const {
  std::vector<const AuditRecord*> out;
  for (const auto* part :
       {&events, &incidents, &decisions, &approval_requests, &approvals, &actions, &outcomes}) {
    for (const AuditRecord& record : *part) out.push_back(&record);
  }
  return out;
}

Json toJson(const CausalChain& chain) {
  return {{"events", recordsJson(chain.events)},
          {"incidents", recordsJson(chain.incidents)},
          {"decisions", recordsJson(chain.decisions)},
          {"approval_requests", recordsJson(chain.approval_requests)},
          {"approvals", recordsJson(chain.approvals)},
          {"actions", recordsJson(chain.actions)},
          {"outcomes", recordsJson(chain.outcomes)}};
}

}  // namespace orion::memory
