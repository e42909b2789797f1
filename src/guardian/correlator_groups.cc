// The correlator's incidents about several openings: flapping (repeated_failures), a node in
// trouble (correlation_detected), and the time-driven sweep.
#include <fmt/format.h>

#include <algorithm>
#include <iterator>

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

void Correlator::openOrGrowFlap(Condition& condition, const EventFields& fields, Correlation& out) {
  const Event& event = fields.event();
  WallTime now = clock_.now();
  IncidentSeverity severity = contracts::incidentSeverityFor(event.severity);
  out.verdict = Verdict::kFlapping;
  Record* existing = find(condition.incident);
  if (existing != nullptr && existing->kind == Kind::kFlapping) {
    Record& record = *existing;
    addEvent(record, event.event_id, now);
    edit(record).tags["opens"] = std::to_string(condition.opens.size());
    touch(record);
    if (severity > record.incident().severity) {
      raiseSeverity(record, severity);
      publish(record, out.incidents);
    } else {
      setPending(record);
    }
    return;
  }
  std::string fingerprint = fingerprintText(condition.fingerprint);
  Record& record = addRecord(Kind::kFlapping, incidentIdFor("flap/" + fingerprint, event.event_id),
                             condition.fingerprint);
  Incident& incident = edit(record);
  incident.timestamp = now;
  incident.incident_type = "repeated_failures";
  incident.severity = IncidentSeverity::kLow;
  incident.event_ids.reserve(condition.opens.size() + 1);
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
  std::string opens = std::to_string(condition.opens.size());
  const TagView extra[] = {{"fingerprint", fingerprint}, {"flapping", "true"}, {"opens", opens}};
  assignTags(incident.tags, condition.tags, extra);
  link(condition.incident, record);
  publish(record, out.incidents);
  out.opened.push_back(incident.incident_id);
}

bool Correlator::joinOrOpenGroup(Condition& condition, NodeState& node, const EventFields& fields,
                                 Correlation& out) {
  const Event& event = fields.event();
  WallTime now = clock_.now();
  IncidentSeverity severity = contracts::incidentSeverityFor(event.severity);

  if (Record* group = find(node.group)) {
    Record& record = *group;
    if (record.members.size() >= options_.max_group_members) {
      ++counters_.truncated_members;
      return false;  // a group this large: the condition gets its own incident
    }
    bool added = record.members.insert(condition.fingerprint);
    link(condition.incident, record);
    addEvent(record, event.event_id, now);
    raiseSeverity(record, severity);
    describeGroup(condition.node, record, added ? &condition : nullptr);
    edit(record).tags["correlated_count"] = std::to_string(record.members.size());
    touch(record);
    publish(record, out.incidents);
    out.verdict = Verdict::kGrouped;
    return true;
  }

  // Distinct conditions on this node that opened within the window and are still open in their
  // own incidents.
  struct Other {
    const RecentOpen* recent;
    const Record* own;  // its own incident
  };
  std::vector<Other> others;
  FingerprintSet counted;
  counted.insert(condition.fingerprint);
  for (const RecentOpen& recent : node.recent) {
    if (counted.contains(recent.fingerprint)) continue;
    const Condition* other = findCondition(recent.fingerprint);
    if (other == nullptr || !other->open) continue;
    const Record* own = find(other->incident);
    if (own == nullptr || own->kind != Kind::kSingle) continue;
    counted.insert(recent.fingerprint);
    others.push_back({&recent, own});
  }
  if (others.size() + 1 < std::max<size_t>(options_.node_correlation_threshold, 2)) return false;
  if (others.size() + 1 > options_.max_group_members) {
    counters_.truncated_members += others.size() + 1 - options_.max_group_members;
    others.resize(options_.max_group_members > 0 ? options_.max_group_members - 1 : 0);
  }
  // The group's events: the one that opened each member's own incident, then this one. Gathered
  // before addRecord(), which may reuse a record's storage.
  std::vector<std::string> event_ids;
  event_ids.reserve(others.size() + 1);
  for (const Other& other : others) {
    const auto& ids = other.own->incident().event_ids;
    if (!ids.empty()) event_ids.push_back(ids.front());
  }
  event_ids.push_back(event.event_id);

  Record& record =
      addRecord(Kind::kNodeGroup, incidentIdFor("node/" + condition.node, event.event_id),
                condition.fingerprint);
  Incident& incident = edit(record);
  incident.timestamp = now;
  incident.incident_type = "correlation_detected";
  incident.severity = severity;
  incident.window_start = others.front().recent->at;
  incident.window_end = now;
  incident.state = IncidentState::kOpen;
  std::string correlated;
  size_t listed = 0;
  for (const Other& other : others) {
    const Condition& member = *findCondition(other.recent->fingerprint);
    incident.severity = std::max(incident.severity, member.severity);
    if (listed++ < kListedIncidentIds) {
      if (!correlated.empty()) correlated += ',';
      correlated += member.incident.id;
    }
  }
  incident.event_ids = std::move(event_ids);
  if (incident.event_ids.size() > options_.max_event_ids_per_incident) {
    counters_.truncated_event_ids +=
        incident.event_ids.size() - options_.max_event_ids_per_incident;
    incident.event_ids.erase(
        incident.event_ids.begin() + 1,
        incident.event_ids.end() - static_cast<ptrdiff_t>(options_.max_event_ids_per_incident) + 1);
  }
  incident.tags.clear();  // a group's tags are its own, none of its members'
  incident.tags["node"] = condition.node;
  incident.tags["target"] = condition.node;
  incident.tags["common_cause"] = "node:" + condition.node;
  incident.tags["fingerprint"] = sha256Hex("node/" + condition.node).substr(0, 16);
  incident.tags["correlated_incidents"] = correlated;
  incident.tags["correlated_count"] = std::to_string(others.size() + 1);
  for (const Other& other : others) {
    Condition& member = *findCondition(other.recent->fingerprint);
    link(member.group, record);
    record.members.insert(other.recent->fingerprint);
    markChanged(member);
  }
  link(condition.incident, record);
  describeGroup(condition.node, record, nullptr);
  link(node.group, record);
  markChanged(node);
  publish(record, out.incidents);
  out.opened.push_back(incident.incident_id);
  out.verdict = Verdict::kGrouped;
  return true;
}

void Correlator::leaveGroup(const IncidentLink& group_link, FingerprintValue fingerprint,
                            const Event& event, Correlation& out) {
  Record* found = find(group_link);
  if (found == nullptr) return;
  Record& group = *found;
  WallTime now = clock_.now();
  group.members.erase(fingerprint);
  group.listing_valid = false;
  addEvent(group, event.event_id, now);
  touch(group);
  if (!group.members.empty()) {
    setPending(group);
    return;
  }
  // As tags["node"] would, a group somehow without a node tag gets an empty one.
  Incident& incident = edit(group);
  std::string node = incident.tags["node"];
  incident.state = IncidentState::kResolved;
  incident.description =
      fmt::format("recovered: every incident grouped on node {} has recovered", node);
  publish(group, out.incidents);
  eraseRecord(group);
  if (NodeState* state = findNode(node); state != nullptr && state->group.id == group_link.id) {
    state->group.clear();
    markChanged(*state);
  }
  out.verdict = Verdict::kResolved;
}

// The five alphabetically first summaries are all a reader needs. Listed anew, only they are put
// in order (partial_sort, of views of the conditions' own strings); a member that joins is
// merged into the five kept from last time, so a join costs no lookup of every member.
void Correlator::describeGroup(const std::string& node, Record& group, const Condition* joined) {
  std::vector<std::string>& listed = group.listed_summaries;
  if (joined != nullptr && group.listing_valid) {
    ++group.summarised;
    const std::string& summary = joined->summary;
    if (listed.size() < kListedMembers || summary < listed.back()) {
      auto at = static_cast<size_t>(std::upper_bound(listed.begin(), listed.end(), summary) -
                                    listed.begin());
      if (listed.size() == kListedMembers) listed.pop_back();
      listed.insert(listed.begin() + static_cast<ptrdiff_t>(at), summary);
    }
  } else {
    std::vector<std::string_view> summaries;
    summaries.reserve(group.members.size());
    for (FingerprintValue member : group.members) {
      if (const Condition* condition = findCondition(member)) {
        summaries.push_back(condition->summary);
      }
    }
    size_t shown = std::min(summaries.size(), kListedMembers);
    std::partial_sort(summaries.begin(), summaries.begin() + static_cast<ptrdiff_t>(shown),
                      summaries.end());
    listed.resize(shown);
    for (size_t i = 0; i < shown; ++i) listed[i].assign(summaries[i]);
    group.summarised = summaries.size();
    group.listing_valid = true;
  }
  std::string text;
  for (const std::string& summary : listed) {
    if (!text.empty()) text += "; ";
    text += summary;
  }
  if (group.summarised > kListedMembers) {
    fmt::format_to(std::back_inserter(text), "; and {} more", group.summarised - kListedMembers);
  }
  edit(group).description =
      fmt::format("{} incidents on node {} within {}: probable common cause: node {} ({})",
                  group.members.size(), node, humanWindow(options_.correlation_window), node, text);
}

void Correlator::invalidateListing(const IncidentLink& group) {
  if (Record* record = find(group); record != nullptr && record->kind == Kind::kNodeGroup) {
    record->listing_valid = false;
  }
}

void Correlator::pruneNode(NodeState& node, WallTime now) {
  size_t before = node.recent.size();
  while (!node.recent.empty() && node.recent.front().at <= now - options_.correlation_window) {
    node.recent.pop_front();
  }
  if (node.recent.size() != before) markChanged(node);
  if (node.recent.empty() && node.group.empty()) eraseNode(node);
}

std::vector<IncidentDocument> Correlator::sweep() {
  WallTime now = clock_.now();
  std::vector<IncidentDocument> out;
  // Flapping incidents that went quiet: the condition recovered and has not opened again for a
  // whole flap_window.
  // (Records stay at their addresses when another one is erased, so the pointers stay valid.)
  std::vector<Record*> quiet;
  for (Record* flap = flapping_.front(); flap != nullptr; flap = flapping_.next(*flap)) {
    const Record& record = *flap;
    if (record.members.empty()) continue;
    const Condition* condition = findCondition(record.members.front());
    bool open = condition != nullptr && condition->open;
    WallTime last_open = condition != nullptr && !condition->opens.empty()
                             ? condition->opens.back().at
                             : record.last_activity;
    if (!open && last_open + options_.flap_window <= now) quiet.push_back(flap);
  }
  // Published in the order of their ids.
  std::sort(quiet.begin(), quiet.end(), [](const Record* a, const Record* b) {
    return a->incident().incident_id < b->incident().incident_id;
  });
  for (Record* flap : quiet) {
    Record& record = *flap;
    FingerprintValue fingerprint = record.members.front();
    Incident& incident = edit(record);
    incident.state = IncidentState::kResolved;
    incident.description =
        fmt::format("stopped flapping: no new failure for {}", humanWindow(options_.flap_window));
    publish(record, out);
    eraseRecord(record);
    if (Condition* condition = findCondition(fingerprint)) {
      condition->incident.clear();
      if (!condition->open) markResolved(*condition);
      markChanged(*condition);
    }
  }
  // Absorbed events whose coalesced update is due, least recently active first.
  std::vector<std::pair<uint64_t, Record*>> due;
  for (Record* record = pending_.front(); record != nullptr; record = pending_.next(*record)) {
    if (now - record->last_published >= options_.correlation_window) {
      due.emplace_back(record->activity_order, record);
    }
  }
  std::sort(due.begin(), due.end(), [](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first < b.first;
    return a.second->incident().incident_id < b.second->incident().incident_id;
  });
  for (const auto& [order, record] : due) publish(*record, out);
  // Resolved fingerprints expire: a recurrence after this is a fresh condition.
  while (!resolved_.empty()) {
    Condition& condition = *resolved_.front();
    if (condition.resolved_at + options_.flap_window > now) break;
    resolved_.remove(condition);
    condition.listed_resolved = false;
    if (!condition.open && condition.incident.empty()) {
      eraseCondition(condition);
      ++counters_.expired_fingerprints;
    }
  }
  nodes_.forEachLive([this, now](NodeState& node) { pruneNode(node, now); });
  return out;
}

}  // namespace orion::guardian
