#include "memory/audit_record.h"

#include <array>
#include <utility>

#include "common/time.h"

namespace orion::memory {

std::string formatRecord(uint64_t seq, WallTime recorded_at, std::string_view type,
                         std::string_view entry_id, std::string_view document_json) {
  // Built by hand so the document (the large part) is serialised once, without copying it into a
  // wrapper object first.
  std::string line = "{\"seq\":" + std::to_string(seq) + ",\"recorded_at\":\"" +
                     formatRfc3339(recorded_at) + "\",\"type\":" + dumpJson(Json(type)) +
                     ",\"entry_id\":" + dumpJson(Json(entry_id)) + ",\"document\":";
  line += document_json;
  line += "}\n";
  return line;
}

Result<AuditRecord> parseRecord(std::string_view line) {
  Result<Json> parsed = parseJson(line);
  if (!parsed) return Status(StatusCode::kDataLoss, parsed.status().message());
  Json& json = *parsed;
  if (!json.is_object()) return Status(StatusCode::kDataLoss, "a record must be a JSON object");
  auto field = [&](const char* name) -> const Json* {
    auto it = json.find(name);
    return it == json.end() ? nullptr : &*it;
  };
  const Json* seq = field("seq");
  if (seq == nullptr || !seq->is_number_unsigned() || seq->get<uint64_t>() == 0) {
    return Status(StatusCode::kDataLoss, "'seq' must be a positive integer");
  }
  AuditRecord record;
  record.seq = seq->get<uint64_t>();
  for (auto [name, out] :
       {std::pair{"recorded_at", &record.recorded_at}, std::pair{"type", &record.type},
        std::pair{"entry_id", &record.entry_id}}) {
    const Json* value = field(name);
    if (value == nullptr || !value->is_string()) {
      return Status(StatusCode::kDataLoss, std::string("'") + name + "' must be a string");
    }
    *out = value->get<std::string>();
  }
  const Json* document = field("document");
  if (document == nullptr || !document->is_object()) {
    return Status(StatusCode::kDataLoss, "'document' must be an object");
  }
  record.document = std::move(json["document"]);
  return record;
}

std::string_view documentIdField(std::string_view type) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 14> kIdFields{{
      {"event", "event_id"},
      {"incident", "incident_id"},
      {"decision", "decision_id"},
      {"action", "action_id"},
      {"outcome", "outcome_id"},
      {"approval_request", "approval_request_id"},
      {"approval_decision", "approval_id"},
      {"approval", "approval_id"},
      {"validation", "validation_id"},
      {"edge.command", "command_id"},
      {"edge.telemetry", "telemetry_id"},
      {"edge.health", "health_id"},
      {"deadletter", "deadletter_id"},
      {"autonomy_change", "change_id"},
  }};
  for (auto [known, id_field] : kIdFields) {
    if (known == type) return id_field;
  }
  return {};
}

std::string recordKey(std::string_view type, std::string_view entry_id, const Json& document) {
  std::string key(type);
  key.push_back('\0');
  std::string_view id_field = documentIdField(type);
  if (!id_field.empty() && document.is_object()) {
    auto it = document.find(id_field);
    if (it != document.end() && it->is_string()) {
      key += it->get_ref<const std::string&>();
      return key;
    }
  }
  key += "entry:";
  key += entry_id;
  return key;
}

}  // namespace orion::memory
