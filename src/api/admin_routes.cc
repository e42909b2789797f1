// The admin endpoints (docs/api.md, "Admin endpoints"): answering approval requests and changing
// the autonomy level over HTTP, behind the admin token (admin_auth.h). An answer is built and
// signed exactly as the CLI does it (signing/admin_answer.h), then handed to the approval
// coordinator's own operations in process, which verify it as they verify the CLI's.
#include <optional>

#include "api/admin_auth.h"
#include "api/http_json.h"
#include "api/live_ops.h"
#include "api/request_body.h"
#include "api/route_group.h"
#include "signing/admin_answer.h"

namespace orion::api {

namespace {

using contracts::ApprovalVerdict;

constexpr const char* kApprovalPattern = R"(/api/v1/approvals/([^/]+)/(approve|deny|force))";
constexpr const char* kAutonomyPath = "/api/v1/autonomy";

class AdminRoutes final : public RouteGroup {
 public:
  explicit AdminRoutes(const ApiEnvironment& environment) : environment_(environment) {}

  Status start() override {
    const config::Config& config = environment_.config;
    auto token = AdminToken::load(config.api.admin_token_file, config.state_dir);
    if (!token) return token.status();
    auto key = signing::loadConfiguredKey(config.approval.admin_key_file, config.state_dir);
    if (!key) return key.status();
    key_ = std::move(key).value();
    auth_.emplace(environment_, std::move(token).value());
    return Status::ok();
  }

  void addRoutes(httplib::Server& server) override {
    server.Post(kApprovalPattern,
                [this](const httplib::Request& request, httplib::Response& response,
                       const httplib::ContentReader& reader) {
                  RequestBody body(request, reader);
                  answerApproval(request, response, body);
                  body.drain();
                });
    server.Post(kAutonomyPath, [this](const httplib::Request& request, httplib::Response& response,
                                      const httplib::ContentReader& reader) {
      RequestBody body(request, reader);
      setAutonomy(request, response, body);
      body.drain();
    });
    // Anything but POST is 405 with the JSON error, and without a CORS header: a browser's
    // preflight (OPTIONS) fails, so a page of another origin cannot call these endpoints.
    auto not_allowed = [](const httplib::Request& request, httplib::Response& response) {
      response.set_header("Allow", "POST");
      sendError(response, 405, "method_not_allowed",
                request.method + " is not allowed here: the admin endpoints take POST");
    };
    for (const char* pattern : {kApprovalPattern, kAutonomyPath}) {
      server.Get(pattern, not_allowed);
      server.Put(pattern, not_allowed);
      server.Patch(pattern, not_allowed);
      server.Delete(pattern, not_allowed);
      server.Options(pattern, not_allowed);
    }
  }

  void stop() override {
    if (auth_) auth_->flush();
  }

 private:
  // Runs `op` as the daemon's operations see it: this process, via the HTTP API, on behalf of
  // the admin the token authenticated.
  Result<Json> run(std::string_view op, Json args, const httplib::Request& request) const {
    return runOperation(environment_, op, remoteOf(request), std::move(args),
                        signing::httpAdminIdentity(request.remote_addr));
  }

  void answerApproval(const httplib::Request& request, httplib::Response& response,
                      RequestBody& request_body) {
    if (!auth_->admit(request, response)) return;
    std::string id = request.matches[1];
    std::string verb = request.matches[2];
    ApprovalVerdict verdict = verb == "approve" ? ApprovalVerdict::kApprove
                              : verb == "deny"  ? ApprovalVerdict::kDeny
                                                : ApprovalVerdict::kForce;
    std::vector<BodyField> fields{{"reason"}};
    if (verdict == ApprovalVerdict::kForce) {
      fields.push_back({"override_cooldown", BodyField::Type::kBool, false});
      fields.push_back({"override_breaker", BodyField::Type::kBool, false});
    }
    ParsedBody parsed = request_body.parse(fields);
    if (parsed.error) return sendError(response, *parsed.error);
    const Json& body = parsed.body;
    signing::AdminVerdict answer{
        verdict, body["reason"].get<std::string>(), signing::httpAdminIdentity(request.remote_addr),
        body.value("override_cooldown", false), body.value("override_breaker", false)};
    if (Status reason = signing::checkReason(verdict, answer.reason); !reason.isOk()) {
      return sendStatus(response, reason, "reason");
    }
    if (!key_) {
      return sendError(response, 503, "unavailable",
                       "approvals cannot be signed: no admin key is configured "
                       "(approval.admin_key_file, docs/approvals.md)");
    }
    auto shown = run("approvals.show", Json{{"id", id}}, request);
    if (!shown) {
      return sendStatus(response, shown.status(),
                        shown.status().code() == StatusCode::kInvalidArgument ? "id" : "");
    }
    auto spec = signing::answerSpecFor(*shown, std::move(answer));
    if (!spec) return sendStatus(response, spec.status());
    contracts::ApprovalDecision signed_answer =
        signing::makeSignedAnswer(*spec, *key_, environment_.module.clock.now());
    auto answered = run("approvals.answer", Json{{"answer", signed_answer.toJson()}}, request);
    if (!answered) return sendStatus(response, answered.status());
    environment_.log->warn("approval request {} answered '{}' over HTTP from {}",
                           spec->approval_request_id, verb, request.remote_addr);
    sendJson(response, Json{{"answer", (*answered)["answer"]},
                            {"published", answered->value("published", false)}});
  }

  void setAutonomy(const httplib::Request& request, httplib::Response& response,
                   RequestBody& request_body) {
    if (!auth_->admit(request, response)) return;
    ParsedBody parsed = request_body.parse({{"level"}, {"reason"}});
    if (parsed.error) return sendError(response, *parsed.error);
    std::string level = parsed.body["level"].get<std::string>();
    if (!contracts::parseAutonomyLevel(level)) {
      return sendError(response, 400, "invalid_argument",
                       "level: expected N0, N1, N2 or N3, got '" + level + "'", "level");
    }
    auto changed = run("autonomy.set", parsed.body, request);
    if (!changed) {
      // The level is valid, so what the brain can still refuse as an argument is the reason.
      return sendStatus(response, changed.status(),
                        changed.status().code() == StatusCode::kInvalidArgument ? "reason" : "");
    }
    sendJson(response, *changed);
  }

  const ApiEnvironment& environment_;
  std::optional<signing::AdminKey> key_;
  std::optional<AdminAuth> auth_;
};

}  // namespace

std::unique_ptr<RouteGroup> makeAdminRoutes(const ApiEnvironment& environment) {
  return std::make_unique<AdminRoutes>(environment);
}

}  // namespace orion::api
