// The correlator's tables: finding a condition, an open incident or a node by its key, following
// a reference to an incident, and noting what changed for the next write to the state store.
#include <functional>

#include "guardian/correlator.h"

namespace orion::guardian {

uint64_t Correlator::hashOf(std::string_view key) { return std::hash<std::string_view>{}(key); }

Correlator::Record* Correlator::findRecord(std::string_view incident_id) {
  uint32_t slot = record_index_.find(hashOf(incident_id), [this, incident_id](uint32_t at) {
    return records_[at].incident().incident_id == incident_id;
  });
  return slot == SlotIndex::kNotFound ? nullptr : &records_[slot];
}

const Correlator::Record* Correlator::findRecord(std::string_view incident_id) const {
  return const_cast<Correlator*>(this)->findRecord(incident_id);
}

// The cached slot answers as long as its record is the one it was cached for; otherwise the id
// is looked up, and finds the record open under it now, if any.
Correlator::Record* Correlator::find(const IncidentLink& link) {
  if (link.id.empty()) return nullptr;
  if (records_.holds(link.cached.slot, link.cached.generation)) return &records_[link.cached.slot];
  Record* record = findRecord(link.id);
  if (record != nullptr) link.cached = RecordRef{record->slot, record->generation};
  return record;
}

const Correlator::Record* Correlator::find(const IncidentLink& link) const {
  return const_cast<Correlator*>(this)->find(link);
}

void Correlator::link(IncidentLink& link, const Record& record) {
  link.id = record.incident().incident_id;
  link.cached = RecordRef{record.slot, record.generation};
}

// A fingerprint is already a hash (of the condition's fields), so it indexes itself.
Correlator::Condition* Correlator::findCondition(FingerprintValue fingerprint) {
  uint32_t slot = condition_index_.find(fingerprint, [this, fingerprint](uint32_t at) {
    return conditions_[at].fingerprint == fingerprint;
  });
  return slot == SlotIndex::kNotFound ? nullptr : &conditions_[slot];
}

const Correlator::Condition* Correlator::findCondition(FingerprintValue fingerprint) const {
  return const_cast<Correlator*>(this)->findCondition(fingerprint);
}

Correlator::NodeState* Correlator::findNode(std::string_view name) {
  uint32_t slot =
      node_index_.find(hashOf(name), [this, name](uint32_t at) { return nodes_[at].name == name; });
  return slot == SlotIndex::kNotFound ? nullptr : &nodes_[slot];
}

const Correlator::NodeState* Correlator::findNode(std::string_view name) const {
  return const_cast<Correlator*>(this)->findNode(name);
}

Correlator::NodeState& Correlator::nodeNamed(std::string_view name) {
  if (NodeState* node = findNode(name)) return *node;
  NodeState& node = nodes_.acquire();
  node.name.assign(name);
  node.recent.clear();
  node.group.clear();
  node.changed = false;
  node_index_.insert(hashOf(node.name), node.slot);
  return node;
}

void Correlator::eraseNode(NodeState& node) {
  if (!node.changed) changed_nodes_.push_back({node.slot, node.generation, node.name});
  node.changed = false;
  node_index_.erase(hashOf(node.name), node.slot);
  nodes_.release(node);
}

void Correlator::markChanged(Condition& condition) {
  if (condition.changed) return;
  condition.changed = true;
  changed_conditions_.push_back({condition.slot, condition.generation, condition.fingerprint});
}

void Correlator::markChanged(Record& record) {
  if (record.changed) return;
  record.changed = true;
  changed_records_.push_back(RecordRef{record.slot, record.generation});
}

void Correlator::markChanged(NodeState& node) {
  if (node.changed) return;
  node.changed = true;
  changed_nodes_.push_back({node.slot, node.generation, node.name});
}

}  // namespace orion::guardian
