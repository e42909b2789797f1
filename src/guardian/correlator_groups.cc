// The correlator's incidents about several openings: flapping (repeated_failures), a node in
// trouble (correlation_detected), and the time-driven sweep.
#include <fmt/format.h>

#include <algorithm>

#include "common/time.h"
#include "guardian/correlator.h"
#include "guardian/fingerprint.h"

namespace orion::guardian {

using contracts::Event;
using contracts::Incident;
using contracts::IncidentSeverity;
using contracts::IncidentState;

namespace {

constexpr size_t kListedMembers = 5;
constexpr size_t kListedIncidentIds = 10;

std::string humanWindow(Duration window) {
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(window).count();
  if (seconds < 120) return fmt::format("{} s", seconds);
  return formatDuration(window);
}

}  // namespace

bool Correlator::flapping(const Condition& condition) const {
  return condition.opens.size() >= std::max<size_t>(options_.flap_threshold, 2);
}

void Correlator::openOrGrowFlap(Condition& condition, const std::string& fingerprint,
                                const Event& event, Correlation& out) {
  WallTime now = clock_.now();
  IncidentSeverity severity = contracts::incidentSeverityFor(event.severity);
  out.verdict = Verdict::kFlapping;
  auto existing = incidents_.find(condition.incident_id);
  if (existing != incidents_.end() && existing->second.kind == Kind::kFlapping) {
    Record& record = existing->second;
    addEvent(record, event.event_id, now);
    record.incident.tags["opens"] = std::to_string(condition.opens.size());
    touch(record);
    if (severity > record.incident.severity) {
      raiseSeverity(record, severity);
      publish(record, out);
    } else {
      setPending(record);
    }
    return;
  }
  Incident incident;
  incident.incident_id = incidentIdFor("flap/" + fingerprint, event.event_id);
  incident.timestamp = now;
  incident.incident_type = "repeated_failures";
  incident.severity = IncidentSeverity::kLow;
  for (const OpenRecord& open : condition.opens) {
    incident.severity = std::max(incident.severity, open.severity);
    incident.event_ids.push_back(open.event_id);
  }
  if (incident.event_ids.size() > options_.max_event_ids_per_incident) {
    counters_.truncated_event_ids +=
        incident.event_ids.size() - options_.max_event_ids_per_incident;
    incident.event_ids.erase(
        incident.event_ids.begin(),
        incident.event_ids.end() - static_cast<ptrdiff_t>(options_.max_event_ids_per_incident));
  }
  incident.window_start = condition.opens.front().at;
  incident.window_end = now;
  incident.state = IncidentState::kOpen;
  incident.description = fmt::format("{}: failed {} times within {} (flapping)", condition.summary,
                                     condition.opens.size(), humanWindow(options_.flap_window));
  incident.tags = condition.tags;
  incident.tags["fingerprint"] = fingerprint;
  incident.tags["flapping"] = "true";
  incident.tags["opens"] = std::to_string(condition.opens.size());
  Record& record = addRecord(Kind::kFlapping, std::move(incident), fingerprint);
  condition.incident_id = record.incident.incident_id;
  publish(record, out);
  out.opened.push_back(record.incident.incident_id);
}

bool Correlator::joinOrOpenGroup(Condition& condition, const std::string& fingerprint,
                                 const Event& event, Correlation& out) {
  if (condition.node.empty()) return false;
  WallTime now = clock_.now();
  pruneNode(condition.node, now);
  NodeState& node = nodes_[condition.node];
  IncidentSeverity severity = contracts::incidentSeverityFor(event.severity);

  auto group = incidents_.find(node.group_id);
  if (group != incidents_.end()) {
    Record& record = group->second;
    if (record.members.size() >= options_.max_group_members) {
      ++counters_.truncated_members;
      return false;  // a group this large: the condition gets its own incident
    }
    record.members.insert(fingerprint);
    condition.incident_id = record.incident.incident_id;
    addEvent(record, event.event_id, now);
    raiseSeverity(record, severity);
    record.incident.description = groupDescription(condition.node, record);
    record.incident.tags["correlated_count"] = std::to_string(record.members.size());
    touch(record);
    publish(record, out);
    out.verdict = Verdict::kGrouped;
    return true;
  }

  // Distinct conditions on this node that opened within the window and are still open in their
  // own incidents.
  std::vector<const RecentOpen*> others;
  std::set<std::string> counted{fingerprint};
  for (const RecentOpen& recent : node.recent) {
    if (counted.contains(recent.fingerprint)) continue;
    auto other = conditions_.find(recent.fingerprint);
    if (other == conditions_.end() || !other->second.open) continue;
    auto own = incidents_.find(other->second.incident_id);
    if (own == incidents_.end() || own->second.kind != Kind::kSingle) continue;
    counted.insert(recent.fingerprint);
    others.push_back(&recent);
  }
  if (others.size() + 1 < std::max<size_t>(options_.node_correlation_threshold, 2)) return false;
  if (others.size() + 1 > options_.max_group_members) {
    counters_.truncated_members += others.size() + 1 - options_.max_group_members;
    others.resize(options_.max_group_members > 0 ? options_.max_group_members - 1 : 0);
  }

  Incident incident;
  incident.incident_id = incidentIdFor("node/" + condition.node, event.event_id);
  incident.timestamp = now;
  incident.incident_type = "correlation_detected";
  incident.severity = severity;
  incident.window_start = others.front()->at;
  incident.window_end = now;
  incident.state = IncidentState::kOpen;
  std::string correlated;
  size_t listed = 0;
  for (const RecentOpen* other : others) {
    Condition& member = conditions_.at(other->fingerprint);
    incident.severity = std::max(incident.severity, member.severity);
    incident.event_ids.push_back(other->event_id);
    if (listed++ < kListedIncidentIds) {
      correlated += (correlated.empty() ? "" : ",") + member.incident_id;
    }
  }
  incident.event_ids.push_back(event.event_id);
  if (incident.event_ids.size() > options_.max_event_ids_per_incident) {
    counters_.truncated_event_ids +=
        incident.event_ids.size() - options_.max_event_ids_per_incident;
    incident.event_ids.erase(
        incident.event_ids.begin() + 1,
        incident.event_ids.end() - static_cast<ptrdiff_t>(options_.max_event_ids_per_incident) + 1);
  }
  incident.tags = {{"node", condition.node},
                   {"target", condition.node},
                   {"common_cause", "node:" + condition.node},
                   {"fingerprint", sha256Hex("node/" + condition.node).substr(0, 16)},
                   {"correlated_incidents", correlated},
                   {"correlated_count", std::to_string(others.size() + 1)}};
  Record& record = addRecord(Kind::kNodeGroup, std::move(incident), fingerprint);
  const std::string& group_id = record.incident.incident_id;
  for (const RecentOpen* other : others) {
    conditions_.at(other->fingerprint).group_id = group_id;
    record.members.insert(other->fingerprint);
    mark("conditions", other->fingerprint);
  }
  condition.incident_id = group_id;
  record.incident.description = groupDescription(condition.node, record);
  node.group_id = group_id;
  mark("nodes", condition.node);
  publish(record, out);
  out.opened.push_back(group_id);
  out.verdict = Verdict::kGrouped;
  return true;
}

void Correlator::leaveGroup(const std::string& group_id, const std::string& fingerprint,
                            const Event& event, Correlation& out) {
  auto it = incidents_.find(group_id);
  if (it == incidents_.end()) return;
  Record& group = it->second;
  WallTime now = clock_.now();
  group.members.erase(fingerprint);
  addEvent(group, event.event_id, now);
  touch(group);
  if (!group.members.empty()) {
    setPending(group);
    return;
  }
  std::string node = group.incident.tags["node"];
  group.incident.state = IncidentState::kResolved;
  group.incident.description =
      fmt::format("recovered: every incident grouped on node {} has recovered", node);
  publish(group, out);
  eraseRecord(group_id);
  if (auto state = nodes_.find(node); state != nodes_.end() && state->second.group_id == group_id) {
    state->second.group_id.clear();
    mark("nodes", node);
  }
  out.verdict = Verdict::kResolved;
}

std::string Correlator::groupDescription(const std::string& node, const Record& group) const {
  std::vector<std::string> summaries;
  for (const std::string& member : group.members) {
    auto it = conditions_.find(member);
    if (it != conditions_.end()) summaries.push_back(it->second.summary);
  }
  std::sort(summaries.begin(), summaries.end());
  std::string listed;
  for (size_t i = 0; i < summaries.size() && i < kListedMembers; ++i) {
    listed += (listed.empty() ? "" : "; ") + summaries[i];
  }
  if (summaries.size() > kListedMembers) {
    listed += fmt::format("; and {} more", summaries.size() - kListedMembers);
  }
  return fmt::format("{} incidents on node {} within {}: probable common cause: node {} ({})",
                     group.members.size(), node, humanWindow(options_.correlation_window), node,
                     listed);
}

void Correlator::pruneNode(const std::string& name, WallTime now) {
  auto it = nodes_.find(name);
  if (it == nodes_.end()) return;
  NodeState& node = it->second;
  size_t before = node.recent.size();
  while (!node.recent.empty() && node.recent.front().at <= now - options_.correlation_window) {
    node.recent.pop_front();
  }
  if (node.recent.size() != before) mark("nodes", name);
  if (node.recent.empty() && node.group_id.empty()) {
    nodes_.erase(it);
    mark("nodes", name);
  }
}

std::vector<Incident> Correlator::sweep() {
  WallTime now = clock_.now();
  Correlation out;
  // Flapping incidents that went quiet: the condition recovered and has not opened again for a
  // whole flap_window.
  std::vector<std::string> quiet;
  for (const std::string& id : flapping_) {
    const Record& record = incidents_.at(id);
    if (record.members.empty()) continue;
    auto condition = conditions_.find(*record.members.begin());
    bool open = condition != conditions_.end() && condition->second.open;
    WallTime last_open = condition != conditions_.end() && !condition->second.opens.empty()
                             ? condition->second.opens.back().at
                             : record.last_activity;
    if (!open && last_open + options_.flap_window <= now) quiet.push_back(id);
  }
  for (const std::string& id : quiet) {
    Record& record = incidents_.at(id);
    std::string fingerprint = *record.members.begin();
    record.incident.state = IncidentState::kResolved;
    record.incident.description =
        fmt::format("stopped flapping: no new failure for {}", humanWindow(options_.flap_window));
    publish(record, out);
    eraseRecord(id);
    if (auto condition = conditions_.find(fingerprint); condition != conditions_.end()) {
      condition->second.incident_id.clear();
      if (!condition->second.open) markResolved(condition->second, fingerprint);
      mark("conditions", fingerprint);
    }
  }
  // Absorbed events whose coalesced update is due.
  std::vector<std::pair<uint64_t, std::string>> due;
  for (const std::string& id : pending_) {
    const Record& record = incidents_.at(id);
    if (now - record.last_published >= options_.correlation_window) {
      due.emplace_back(record.activity_order, id);
    }
  }
  std::sort(due.begin(), due.end());
  for (const auto& [at, id] : due) publish(incidents_.at(id), out);
  // Resolved fingerprints expire: a recurrence after this is a fresh condition.
  while (!resolved_.empty()) {
    auto it = conditions_.find(resolved_.front());
    if (it == conditions_.end()) {
      resolved_.pop_front();
      continue;
    }
    if (it->second.resolved_at + options_.flap_window > now) break;
    resolved_.pop_front();
    if (!it->second.open && it->second.incident_id.empty()) {
      mark("conditions", it->first);
      conditions_.erase(it);
      ++counters_.expired_fingerprints;
    } else {
      it->second.listed_resolved = false;
    }
  }
  std::vector<std::string> names;
  for (const auto& [name, node] : nodes_) names.push_back(name);
  for (const std::string& name : names) pruneNode(name, now);
  return std::move(out.incidents);
}

}  // namespace orion::guardian
