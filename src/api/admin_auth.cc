#include "api/admin_auth.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "api/http_json.h"
#include "common/ids.h"
#include "contracts/documents.h"
#include "contracts/registry.h"

namespace orion::api {
namespace {

constexpr const char* kFailuresName = "orion_api_auth_failures_total";
constexpr const char* kFailuresHelp =
    "Admin requests refused for a missing, malformed or wrong token.";

// The token after "Bearer " (the scheme is case-insensitive, RFC 7235); nullopt when the header
// is not a Bearer credential.
std::optional<std::string_view> bearerToken(std::string_view header) {
  constexpr std::string_view kScheme = "bearer ";
  if (header.size() <= kScheme.size()) return std::nullopt;
  for (size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) != kScheme[i]) return std::nullopt;
  }
  std::string_view token = header.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  if (token.empty()) return std::nullopt;
  return token;
}

int64_t ceilSeconds(Duration duration) {
  auto seconds = std::chrono::ceil<std::chrono::seconds>(duration).count();
  return std::max<int64_t>(seconds, 1);
}

}  // namespace

AdminAuth::AdminAuth(const ApiEnvironment& environment, std::optional<AdminToken> token,
                     AuthLimits limits)
    : environment_(environment),
      token_(std::move(token)),
      limits_(limits),
      limiter_(limits),
      missing_(environment.module.metrics.counter(kFailuresName, kFailuresHelp,
                                                  {{"reason", "missing"}})),
      malformed_(environment.module.metrics.counter(kFailuresName, kFailuresHelp,
                                                    {{"reason", "malformed"}})),
      wrong_(
          environment.module.metrics.counter(kFailuresName, kFailuresHelp, {{"reason", "wrong"}})),
      limited_(environment.module.metrics.counter(
          "orion_api_auth_limited_total",
          "Admin requests refused because their address failed too often (429).")) {}

bool AdminAuth::admit(const httplib::Request& request, httplib::Response& response) {
  if (!token_) {
    sendError(response, 403, "permission_denied",
              "the admin endpoints are disabled: set api.admin_token_file (docs/api.md)");
    return false;
  }
  const std::string& client = request.remote_addr;
  MonoTime now = environment_.module.clock.monotonic();
  std::optional<Duration> wait = limiter_.check(client, now);
  audit(std::nullopt);  // a window that just ended may leave a summary
  if (wait) {
    limited_.inc();
    int64_t seconds = ceilSeconds(*wait);
    response.set_header("Retry-After", std::to_string(seconds));
    sendError(response, 429, "resource_exhausted",
              fmt::format("too many failed admin authentications from {}: try again in {} s",
                          client, seconds));
    return false;
  }
  std::string header = request.get_header_value("Authorization");
  std::optional<std::string_view> token = bearerToken(header);
  std::string_view why;
  if (header.empty()) {
    missing_.inc();
    why = "no Authorization header";
  } else if (!token) {
    malformed_.inc();
    why = "the Authorization header is not 'Bearer <token>'";
  } else if (!token_->matches(*token)) {
    wrong_.inc();
    why = "wrong token";
  } else {
    return true;
  }
  limiter_.recordFailure(client, now);
  audit(Attempt{request, why});
  response.set_header("WWW-Authenticate", token ? R"(Bearer realm="orion", error="invalid_token")"
                                                : R"(Bearer realm="orion")");
  sendError(response, 401, "unauthenticated",
            std::string(why) + ": the admin endpoints need 'Authorization: Bearer <admin token>'");
  return false;
}

void AdminAuth::flush() {
  limiter_.flush();
  audit(std::nullopt);
}

void AdminAuth::audit(const std::optional<Attempt>& attempt) {
  int window =
      static_cast<int>(std::chrono::duration_cast<std::chrono::seconds>(limits_.window).count());
  for (const AuthAuditNote& note : limiter_.takeNotes()) {
    Json record{{"client", note.client},
                {"failures", note.failures},
                {"window_seconds", window},
                {"max_failures", limits_.max_failures}};
    std::string reason;
    switch (note.kind) {
      case AuthAuditNote::Kind::kFirstFailure:
        record["kind"] = "first_failure";
        reason = fmt::format(
            "admin authentication failed from {}; further failures from it in the next {} s are "
            "counted, not recorded one by one",
            note.client, window);
        break;
      case AuthAuditNote::Kind::kLimitReached:
        record["kind"] = "limit_reached";
        reason = fmt::format(
            "admin authentication failed {} times within {} s from {}: it is refused (429) until "
            "the window ends, even with the right token",
            note.failures, window, note.client);
        break;
      case AuthAuditNote::Kind::kSummary:
        record["kind"] = "summary";
        record["refused_while_limited"] = note.refused;
        record["not_recorded_one_by_one"] = note.unaudited;
        reason = fmt::format(
            "admin authentication from {} in one {} s window: {} failure(s), {} request(s) "
            "refused while limited; {} of them not recorded one by one",
            note.client, window, note.failures, note.refused, note.unaudited);
        break;
    }
    if (attempt && note.kind != AuthAuditNote::Kind::kSummary &&
        note.client == attempt->request.remote_addr) {
      record["attempt"] = Json{{"method", attempt->request.method},
                               {"path", attempt->request.path},
                               {"remote_address", attempt->request.remote_addr},
                               {"remote_port", attempt->request.remote_port},
                               {"why", attempt->why}};
      reason += ": " + std::string(attempt->why) + " (" + attempt->request.method + " " +
                attempt->request.path + ")";
    }
    contracts::Deadletter refused;
    refused.deadletter_id = newUuid();
    refused.timestamp = environment_.module.clock.now();
    refused.source = "orion-api";
    refused.stream = "http:admin-auth";  // an HTTP request, not a stream
    refused.contract_type = "";
    refused.reason = std::move(reason);
    refused.original_document = std::move(record);
    auto sent = environment_.module.bus.publish(contracts::type::kDeadletter, refused.toJson());
    if (!sent) {
      environment_.log->error("api: recording a failed admin authentication failed: {}",
                              sent.status().message());
    }
  }
}

}  // namespace orion::api
