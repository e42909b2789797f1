#include "api/api_metrics.h"

#include <array>

namespace orion::api {

ApiMetrics::ApiMetrics(MetricsRegistry& r)
    : registry(r),
      stream_clients(r.gauge("orion_api_stream_clients", "Live-stream (SSE) clients connected")),
      stream_overflows(r.counter("orion_api_stream_overflows_total",
                                 "Live-stream clients disconnected because they fell behind")),
      stream_sent(
          r.counter("orion_api_stream_sent_total", "Documents written to live-stream clients")) {}

void ApiMetrics::request(std::string_view route, int status, double seconds) {
  std::string label(route);
  registry
      .counter("orion_api_requests_total", "HTTP requests answered, by route and status",
               {{"route", label}, {"status", std::to_string(status)}})
      .inc();
  registry
      .histogram("orion_api_request_duration_seconds",
                 "HTTP request duration, routing to last byte, by route", {{"route", label}})
      .observe(seconds);
}

std::string routeLabel(std::string_view path) {
  // Exact routes first; then the ones with one id segment after a known prefix.
  static constexpr std::array<std::string_view, 16> kExact = {
      "/health",           "/ready",
      "/metrics",          "/",
      "/api/v1/status",    "/api/v1/incidents",
      "/api/v1/decisions", "/api/v1/actions",
      "/api/v1/outcomes",  "/api/v1/approvals",
      "/api/v1/audit",     "/api/v1/policy",
      "/api/v1/stream",    "/api/v1/autonomy",
      "/favicon.ico",      "/ui"};
  for (std::string_view route : kExact) {
    if (path == route) return std::string(route);
  }
  auto after = [&](std::string_view prefix) -> std::string_view {
    if (path.size() <= prefix.size() || path.substr(0, prefix.size()) != prefix) return {};
    return path.substr(prefix.size());
  };
  if (std::string_view id = after("/api/v1/incidents/"); !id.empty()) {
    if (id.find('/') == std::string_view::npos) return "/api/v1/incidents/{id}";
  }
  if (std::string_view rest = after("/api/v1/approvals/"); !rest.empty()) {
    size_t slash = rest.find('/');
    if (slash == std::string_view::npos) return "/api/v1/approvals/{id}";
    std::string_view verb = rest.substr(slash + 1);
    if (verb == "approve" || verb == "deny" || verb == "force") {
      return "/api/v1/approvals/{id}/" + std::string(verb);
    }
  }
  if (!after("/ui/").empty()) return "/ui/{asset}";
  if (!after("/api/").empty()) return "/api/other";
  return "other";
}

}  // namespace orion::api
