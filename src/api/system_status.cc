#include "api/system_status.h"

#include "api/live_ops.h"
#include "common/build_info.h"
#include "common/time.h"

namespace orion::api {
namespace {

constexpr std::string_view kNotHere = "not in this process";

Json check(bool ok, std::string detail) { return {{"ok", ok}, {"detail", std::move(detail)}}; }

// The newest durable seq: memory's gauge when memory runs here, else the trail's last record.
std::optional<uint64_t> headSeq(const ApiEnvironment& environment, TrailView& trail,
                                Status& trail_status) {
  std::optional<uint64_t> head;
  trail_status = trail.use([&](memory::AuditReader& reader) {
    // From the index (memory keeps it current): reading the log's tail would scan a segment.
    Result<std::vector<memory::AuditRecord>> last =
        reader.query({.limit = 1, .newest_first = true});
    if (!last) return last.status();
    head = last->empty() ? 0 : last->back().seq;
    return Status::ok();
  });
  double gauge = environment.module.metrics.read("orion_memory_head_seq");
  if (gauge >= 0 && (!head || static_cast<uint64_t>(gauge) > *head)) {
    head = static_cast<uint64_t>(gauge);
  }
  return head;
}

Json busCheck(const ApiEnvironment& environment) {
  const bus::Bus& bus = environment.module.bus;
  if (bus.healthy()) return check(true, std::string(bus.kind()));
  return check(false, std::string(bus.kind()) + " bus unreachable: documents cannot be delivered");
}

Json storageCheck(const ApiEnvironment& environment, TrailView& trail) {
  bool memory_here = environment.module.metrics.read("orion_memory_degraded") >= 0;
  if (memory_here && environment.module.metrics.read("orion_memory_degraded") > 0) {
    return check(false, "memory degraded: the audit trail cannot be written (see the log)");
  }
  Status trail_status;
  std::optional<uint64_t> head = headSeq(environment, trail, trail_status);
  if (!trail_status.isOk()) {
    if (trail_status.code() == StatusCode::kNotFound) {
      // Memory creates the trail with its first record; elsewhere, that process answers.
      return check(true, memory_here ? "audit trail empty: no record yet"
                                     : std::string(kNotHere) + " (" + trail_status.message() + ")");
    }
    return check(false, "audit trail unreadable: " + trail_status.message());
  }
  return check(true, "audit head seq " + std::to_string(head.value_or(0)));
}

Json policyCheck(const ApiEnvironment& environment, std::string_view remote) {
  double valid = environment.module.metrics.read("orion_brain_policy_valid");
  if (valid < 0) return check(true, std::string(kNotHere));
  Result<Json> shown = runOperation(environment, "policy.show", remote);
  if (valid > 0) {
    std::string detail = "valid";
    if (shown) detail = "policy " + shown->value("digest", "") + ": " + shown->value("summary", "");
    return check(true, detail);
  }
  std::string detail = "no valid policy loaded: nothing is SAFE";
  if (shown) {
    std::string why = shown->value("last_error", "");
    if (why.empty()) why = shown->value("problem", "");
    if (!why.empty()) detail += " (" + why + ")";
  }
  return check(false, detail);
}

// A number from a list result, or null when the operation is not available.
Json countOf(const Result<Json>& result, std::string_view key) {
  if (!result) return nullptr;
  auto it = result->find(std::string(key));
  if (it == result->end() || !it->is_array()) return nullptr;
  return it->size();
}

}  // namespace

Readiness readiness(const ApiEnvironment& environment, TrailView& trail, std::string_view remote) {
  Readiness out;
  out.checks = {{"bus", busCheck(environment)},
                {"storage", storageCheck(environment, trail)},
                {"policy", policyCheck(environment, remote)}};
  out.ready = true;
  for (const Json& result : out.checks) out.ready = out.ready && result["ok"].get<bool>();
  return out;
}

Json systemStatus(const ApiEnvironment& environment, TrailView& trail, MonoTime started,
                  std::string_view remote) {
  const ModuleContext& module = environment.module;
  Json out;
  out["node"] = module.node;
  out["version"] = std::string(orionVersion());
  out["uptime_seconds"] =
      std::chrono::duration_cast<std::chrono::seconds>(module.clock.monotonic() - started).count();
  Result<Json> autonomy = runOperation(environment, "autonomy.show", remote);
  out["autonomy"] = autonomy ? *autonomy : Json(nullptr);
  out["bus"] = {{"kind", module.bus.kind()},
                {"healthy", module.bus.healthy()},
                {"lag", module.metrics.sum("orion_bus_group_lag")},
                {"deadletters", module.metrics.sum("orion_bus_deadlettered_total")}};

  Json policy = Json::object();
  double valid = module.metrics.read("orion_brain_policy_valid");
  if (Result<Json> shown = runOperation(environment, "policy.show", remote); shown) {
    policy = *shown;
    policy["valid"] = valid >= 0 ? valid > 0 : shown->value("loaded", false);
  } else {
    policy["valid"] = valid >= 0 ? Json(valid > 0) : Json(nullptr);
    if (valid < 0) policy["detail"] = kNotHere;
  }
  out["policy"] = policy;

  Status trail_status;
  std::optional<uint64_t> head = headSeq(environment, trail, trail_status);
  ChainStatus chain = trail.chain();
  out["audit"] = {{"head_seq", head ? Json(*head) : Json(nullptr)},
                  {"chain", chain.state},
                  {"checked_at", chain.checked_at.empty() ? Json(nullptr) : Json(chain.checked_at)},
                  {"verified_records", chain.records},
                  {"detail", trail_status.isOk() ? chain.detail : trail_status.message()}};

  Json pending = countOf(runOperation(environment, "approvals.list", remote), "pending");
  Json open = nullptr;
  Status counted = trail.use([&](memory::AuditReader& reader) {
    Result<std::vector<memory::AuditRecord>> incidents = reader.openIncidents();
    if (!incidents) return incidents.status();
    open = incidents->size();
    if (pending.is_null()) {
      Result<std::vector<memory::AuditRecord>> requests =
          reader.pendingApprovalRequests(module.clock.now());
      if (!requests) return requests.status();
      pending = requests->size();
    }
    return Status::ok();
  });
  if (!counted.isOk() && counted.code() == StatusCode::kNotFound) open = 0;
  out["approvals"] = {{"pending", pending.is_null() ? Json(0) : pending}};
  out["incidents"] = {{"open", open}};
  return out;
}

}  // namespace orion::api
