// The dashboard: GET / is index.html and GET /ui/<name> the other files of src/api/dashboard/,
// all compiled into the binary (dashboard_assets.h), so it needs nothing on disk or from the
// network. Every answer carries the security headers below; the page's script and style are
// files of this origin only (the Content-Security-Policy forbids inline script and anything from
// elsewhere). The browser revalidates every file (no-cache + ETag) so a new binary's page never
// mixes with an old one's script.
#include <fmt/format.h>

#include <functional>
#include <map>
#include <string>

#include "api/dashboard_assets.h"
#include "api/http_json.h"
#include "api/route_group.h"

namespace orion::api {

namespace {

struct Asset {
  std::string_view bytes;
  std::string content_type;
  std::string etag;
};

std::string contentTypeOf(std::string_view name) {
  static const std::map<std::string_view, std::string_view> kTypes = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".json", "application/json"},
      {".txt", "text/plain; charset=utf-8"}};
  size_t dot = name.rfind('.');
  if (dot != std::string_view::npos) {
    if (auto found = kTypes.find(name.substr(dot)); found != kTypes.end()) {
      return std::string(found->second);
    }
  }
  return "application/octet-stream";
}

void addSecurityHeaders(httplib::Response& response) {
  // default-src 'self' is the policy the page is written for; the other directives close what
  // default-src does not cover (framing, <base>, form targets).
  response.set_header("Content-Security-Policy",
                      "default-src 'self'; base-uri 'none'; form-action 'none'; "
                      "frame-ancestors 'none'");
  response.set_header("X-Content-Type-Options", "nosniff");
  response.set_header("X-Frame-Options", "DENY");
  response.set_header("Referrer-Policy", "no-referrer");
}

class Dashboard final : public RouteGroup {
 public:
  Dashboard() {
    for (const EmbeddedFile& file : embeddedDashboard()) {
      std::string name(file.name);
      assets_[name] = {file.bytes, contentTypeOf(name),
                       fmt::format("\"{:016x}-{}\"", std::hash<std::string_view>{}(file.bytes),
                                   file.bytes.size())};
    }
  }

  void addRoutes(httplib::Server& server) override {
    server.Get("/", [this](const httplib::Request& request, httplib::Response& response) {
      serve("index.html", request, response);
    });
    server.Get(R"(/ui/(.*))", [this](const httplib::Request& request, httplib::Response& response) {
      serve(request.matches[1].str(), request, response);
    });
  }

 private:
  void serve(const std::string& name, const httplib::Request& request,
             httplib::Response& response) const {
    addSecurityHeaders(response);
    auto found = assets_.find(name);
    if (found == assets_.end()) {
      sendError(response, 404, "not_found", "no dashboard file '" + name + "'");
      return;
    }
    const Asset& asset = found->second;
    response.set_header("Cache-Control", "no-cache");
    response.set_header("ETag", asset.etag);
    // If-None-Match may list several tags; ours is unique enough to look for as a substring.
    std::string if_none_match = request.get_header_value("If-None-Match");
    if (!if_none_match.empty() &&
        (if_none_match == "*" || if_none_match.find(asset.etag) != std::string::npos)) {
      response.status = 304;
      return;
    }
    response.set_content(asset.bytes.data(), asset.bytes.size(), asset.content_type);
  }

  std::map<std::string, Asset, std::less<>> assets_;
};

}  // namespace

std::unique_ptr<RouteGroup> makeDashboard(const ApiEnvironment& /*environment*/) {
  return std::make_unique<Dashboard>();
}

}  // namespace orion::api
