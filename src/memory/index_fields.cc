#include "memory/index_fields.h"

#include "memory/audit_record.h"

namespace orion::memory {
namespace {

std::string text(const Json& object, std::string_view key) {
  if (!object.is_object()) return {};
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

const Json& member(const Json& object, std::string_view key) {
  static const Json kNull;  // an immutable constant, not state
  if (!object.is_object()) return kNull;
  auto it = object.find(key);
  return it == object.end() ? kNull : *it;
}

// The service a document is about: the first of these places that names one.
std::string serviceOf(const Json& doc) {
  for (const Json* holder :
       {&member(doc, "data"), &member(doc, "parameters"),
        &member(member(doc, "proposed_action"), "parameters"),
        &member(member(doc, "requested_action"), "parameters"), &member(doc, "tags")}) {
    for (std::string_view key : {"service_name", "service"}) {
      std::string name = text(*holder, key);
      if (!name.empty()) return name;
    }
  }
  return {};
}

// The word that says where an entity stands, for the reconciliation queries.
std::string statusOf(std::string_view type, const Json& doc) {
  if (type == "incident" || type == "action" || type == "edge.health") return text(doc, "state");
  if (type == "outcome" || type == "approval") return text(doc, "status");
  if (type == "decision") return text(doc, "decision_type");
  if (type == "approval_decision") return text(doc, "decision");
  if (type == "event") return text(doc, "severity");
  if (type == "validation") return text(doc, "result");
  return {};
}

void addRef(std::vector<std::string>& refs, std::string id) {
  if (!id.empty()) refs.push_back(std::move(id));
}

}  // namespace

std::string nodeOf(const Json& document, std::string_view fallback) {
  std::string node = text(member(document, "tags"), "node");
  if (node.empty()) node = text(member(document, "data"), "node");
  return node.empty() ? std::string(fallback) : node;
}

IndexFields indexFieldsOf(std::string_view type, const Json& doc, std::string_view node) {
  IndexFields fields;
  fields.node = std::string(node);
  fields.service = serviceOf(doc);
  fields.status = statusOf(type, doc);
  fields.id = documentId(type, doc);
  std::vector<std::string>& refs = fields.refs;
  if (type == "incident") {
    fields.closed = fields.status == "resolved";
    const Json& events = member(doc, "event_ids");
    if (events.is_array()) {
      for (const Json& id : events) {
        if (id.is_string()) addRef(refs, id.get<std::string>());
      }
    }
  } else if (type == "decision") {
    addRef(refs, text(doc, "incident_id"));
  } else if (type == "approval_request") {
    fields.closed = false;
    addRef(refs, text(doc, "decision_id"));
    addRef(refs, text(doc, "incident_id"));
  } else if (type == "approval_decision") {
    addRef(refs, text(doc, "decision_id"));
    addRef(refs, text(doc, "approval_request_id"));
    addRef(refs, text(doc, "action_id"));
    fields.closes = text(doc, "approval_request_id");
  } else if (type == "action") {
    fields.closed = false;
    addRef(refs, text(doc, "decision_id"));
    addRef(refs, text(doc, "approval_id"));
  } else if (type == "outcome") {
    addRef(refs, text(doc, "action_id"));
    fields.closes = text(doc, "action_id");
  } else if (type == "validation" || type == "approval") {
    addRef(refs, text(doc, "decision_id"));
  } else if (type == "deadletter") {
    std::string original_type = text(doc, "contract_type");
    addRef(refs, documentId(original_type, member(doc, "original_document")));
  }
  return fields;
}

}  // namespace orion::memory
