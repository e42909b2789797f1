// The read-only JSON API under /api/v1 and GET /ready (docs/api.md, "Read API"). History comes
// from the audit trail (TrailView), live state from the daemon's control operations.
#include "api/http_json.h"
#include "api/live_ops.h"
#include "api/query_params.h"
#include "api/route_group.h"
#include "api/system_status.h"
#include "api/trail_view.h"

namespace orion::api {

namespace {

// How often the chain is verified in the background.
constexpr Duration kVerifyInterval = std::chrono::minutes(5);

using memory::AuditRecord;

Json itemOf(const AuditRecord& record) {
  return {{"seq", record.seq},   {"recorded_at", record.recorded_at},
          {"type", record.type}, {"id", record.id},
          {"node", record.node}, {"document", record.document}};
}

Json itemsOf(const std::vector<AuditRecord>& records) {
  Json items = Json::array();
  for (const AuditRecord& record : records) items.push_back(itemOf(record));
  return items;
}

class ReadRoutes final : public RouteGroup {
 public:
  explicit ReadRoutes(const ApiEnvironment& environment)
      : environment_(environment),
        trail_(trailOptions(environment), environment.module.clock, environment.log),
        started_(environment.module.clock.monotonic()) {}

  Status start() override {
    trail_.startVerifier(kVerifyInterval);
    return Status::ok();
  }
  void stop() override { trail_.stop(); }

  void addRoutes(httplib::Server& server) override {
    server.Get("/ready", [this](const httplib::Request& request, httplib::Response& response) {
      if (auto error = onlyParams(request, {})) return sendParamError(response, *error);
      Readiness ready = readiness(environment_, trail_, remoteOf(request));
      sendJson(response, {{"ready", ready.ready}, {"checks", ready.checks}},
               ready.ready ? 200 : 503);
    });
    server.Get(
        "/api/v1/status", [this](const httplib::Request& request, httplib::Response& response) {
          if (auto error = onlyParams(request, {})) return sendParamError(response, *error);
          sendJson(response, systemStatus(environment_, trail_, started_, remoteOf(request)));
        });
    server.Get("/api/v1/incidents",
               [this](const auto& request, auto& response) { incidents(request, response); });
    server.Get(R"(/api/v1/incidents/([^/]+))",
               [this](const auto& request, auto& response) { incident(request, response); });
    server.Get("/api/v1/decisions", [this](const auto& request, auto& response) {
      linkedList(request, response, "decision", "incident_id");
    });
    server.Get("/api/v1/actions", [this](const auto& request, auto& response) {
      linkedList(request, response, "action", "decision_id");
    });
    server.Get("/api/v1/outcomes", [this](const auto& request, auto& response) {
      linkedList(request, response, "outcome", "action_id");
    });
    server.Get("/api/v1/audit",
               [this](const auto& request, auto& response) { audit(request, response); });
    server.Get("/api/v1/approvals",
               [this](const auto& request, auto& response) { approvals(request, response); });
    server.Get("/api/v1/policy",
               [this](const httplib::Request& request, httplib::Response& response) {
                 if (auto error = onlyParams(request, {})) return sendParamError(response, *error);
                 Result<Json> shown = runOperation(environment_, "policy.show", remoteOf(request));
                 if (!shown) return sendStatus(response, notHere(shown.status(), "the brain"));
                 sendJson(response, *shown);
               });
  }

 private:
  static memory::TrailOptions trailOptions(const ApiEnvironment& environment) {
    std::filesystem::path state_dir = environment.module.state_dir.empty()
                                          ? environment.config.state_dir
                                          : environment.module.state_dir;
    memory::TrailOptions trail{memory::auditDir(environment.config.memory, state_dir), {}};
    if (!environment.config.memory.hmac_key_file.empty()) {
      Result<std::string> key = memory::loadHmacKey(environment.config.memory.hmac_key_file);
      if (key) {
        trail.key = std::move(key).value();
      } else {
        environment.log->warn("audit trail key: {}; keyed records will not verify",
                              key.status().message());
      }
    }
    return trail;
  }

  // An operation no module here serves is a 503 that says where it is.
  static Status notHere(const Status& status, std::string_view module) {
    if (status.code() != StatusCode::kNotFound && status.code() != StatusCode::kUnavailable) {
      return status;
    }
    return unavailable(std::string(module) + " does not run in this process (" + status.message() +
                       ")");
  }

  // One page of `filter`'s matches; no trail yet is an empty page.
  void sendPage(httplib::Response& response, const ListQuery& query, bool audit_records) {
    std::vector<AuditRecord> records;
    Status status = trail_.use([&](memory::AuditReader& reader) {
      Result<std::vector<AuditRecord>> found = reader.query(query.filter);
      if (!found) return found.status();
      records = std::move(found).value();
      return Status::ok();
    });
    if (!status.isOk() && status.code() != StatusCode::kNotFound) {
      return sendStatus(response, status);
    }
    Json next = nullptr;
    if (records.size() > query.limit) {
      records.resize(query.limit);
      next = cursorFor(records.back().seq);
    }
    Json items = Json::array();
    for (const AuditRecord& record : records) {
      items.push_back(audit_records ? memory::toJson(record) : itemOf(record));
    }
    sendJson(response, {{"items", std::move(items)}, {"next", std::move(next)}});
  }

  void incidents(const httplib::Request& request, httplib::Response& response) {
    ListQuery query;
    if (auto error = parseListQuery(request, {"state"}, query)) {
      return sendParamError(response, *error);
    }
    std::string state;
    if (auto error = param(request, "state", state)) return sendParamError(response, *error);
    if (state == "open") {
      query.filter.closed = false;
    } else if (state == "resolved") {
      query.filter.closed = true;
    } else if (!state.empty() && state != "all") {
      return sendParamError(response, {"state", "'" + state + "' is not open, resolved or all"});
    } else if (request.has_param("state") && state.empty()) {
      return sendParamError(response, {"state", "is empty (open, resolved or all)"});
    }
    query.filter.types = {"incident"};
    query.filter.current_versions = true;
    sendPage(response, query, false);
  }

  void linkedList(const httplib::Request& request, httplib::Response& response,
                  std::string_view type, std::string_view link) {
    ListQuery query;
    if (auto error = parseListQuery(request, {link}, query)) {
      return sendParamError(response, *error);
    }
    std::string id;
    if (auto error = param(request, link, id)) return sendParamError(response, *error);
    if (request.has_param(std::string(link).c_str()) && id.empty()) {
      return sendParamError(response, {std::string(link), "is empty"});
    }
    if (!id.empty()) query.filter.carrying = id;
    query.filter.types = {std::string(type)};
    sendPage(response, query, false);
  }

  void audit(const httplib::Request& request, httplib::Response& response) {
    ListQuery query;
    if (auto error = parseListQuery(request, {"type"}, query)) {
      return sendParamError(response, *error);
    }
    if (auto error = listParam(request, "type", query.filter.types)) {
      return sendParamError(response, *error);
    }
    if (request.has_param("type") && query.filter.types.empty()) {
      return sendParamError(response, {"type", "is empty (e.g. type=incident,decision)"});
    }
    sendPage(response, query, true);
  }

  void incident(const httplib::Request& request, httplib::Response& response) {
    if (auto error = onlyParams(request, {})) return sendParamError(response, *error);
    std::string id = request.matches[1];
    memory::CausalChain chain;
    auto lookup = [&](memory::AuditReader& reader) {
      Result<memory::CausalChain> found = reader.causalChain(id);
      if (!found) return found.status();
      chain = std::move(found).value();
      return Status::ok();
    };
    Status status = trail_.use(lookup);
    if (status.isOk() && chain.empty()) {
      // Not indexed yet (memory indexes in the background, a moment after the record is
      // durable): bring the index up to the log and look again.
      status = trail_.useCaughtUp(lookup);
    }
    if (!status.isOk() && status.code() != StatusCode::kNotFound) {
      return sendStatus(response, status);
    }
    if (chain.empty()) {
      return sendError(response, 404, "not_found", "no incident '" + id + "' in the audit trail");
    }
    sendJson(response, {{"incident", chain.incidents.back().document},
                        {"versions", itemsOf(chain.incidents)},
                        {"events", itemsOf(chain.events)},
                        {"decisions", itemsOf(chain.decisions)},
                        {"approval_requests", itemsOf(chain.approval_requests)},
                        {"approvals", itemsOf(chain.approvals)},
                        {"actions", itemsOf(chain.actions)},
                        {"outcomes", itemsOf(chain.outcomes)}});
  }

  // The coordinator's pending requests; without it here, the trail's unanswered unexpired ones.
  void approvals(const httplib::Request& request, httplib::Response& response) {
    if (auto error = onlyParams(request, {})) return sendParamError(response, *error);
    Result<Json> listed = runOperation(environment_, "approvals.list", remoteOf(request));
    if (listed) {
      Json out = *listed;
      out["source"] = "approval coordinator";
      return sendJson(response, out);
    }
    if (listed.status().code() != StatusCode::kNotFound &&
        listed.status().code() != StatusCode::kUnavailable) {
      return sendStatus(response, listed.status());
    }
    Json pending = Json::array();
    Status status = trail_.use([&](memory::AuditReader& reader) {
      Result<std::vector<AuditRecord>> requests =
          reader.pendingApprovalRequests(environment_.module.clock.now());
      if (!requests) return requests.status();
      for (const AuditRecord& record : *requests) pending.push_back(record.document);
      return Status::ok();
    });
    if (!status.isOk() && status.code() != StatusCode::kNotFound) {
      return sendStatus(response, status);
    }
    sendJson(response, {{"pending", std::move(pending)}, {"source", "audit trail"}});
  }

  const ApiEnvironment& environment_;
  TrailView trail_;
  MonoTime started_;
};

}  // namespace

std::unique_ptr<RouteGroup> makeReadRoutes(const ApiEnvironment& environment) {
  return std::make_unique<ReadRoutes>(environment);
}

}  // namespace orion::api
