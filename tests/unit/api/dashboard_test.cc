// The dashboard's routes over a real socket (the API server on loopback): what each file is
// served as, the security headers on every answer, revalidation, unknown names; and that the
// embedded files are the ones in src/api/dashboard/ and keep the page's rules (no inline script
// or style, which the Content-Security-Policy would block; nothing inserted as HTML).
#include <gtest/gtest.h>
#include <httplib.h>

#include <regex>

#include "api/api.h"
#include "api/dashboard_assets.h"
#include "bus/embedded_bus.h"
#include "contracts/registry.h"
#include "testing/redis_server.h"  // freeLoopbackPort
#include "testing/temp_dir.h"

namespace orion::api {
namespace {

class DashboardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto contracts = contracts::ContractRegistry::loadEmbedded();
    ASSERT_TRUE(contracts.isOk()) << contracts.status().toString();
    bus_ = bus::makeEmbeddedBus({}, *contracts, clock_, metrics_);
    port_ = testing::freeLoopbackPort();
    ASSERT_GT(port_, 0);
    config::Config config;
    config.api.enabled = true;
    config.api.listen = "127.0.0.1:" + std::to_string(port_);
    server_ = makeApiServer(config, ModuleContext{*bus_, clock_, metrics_, "node-a"});
    Status started = server_->start();
    ASSERT_TRUE(started.isOk()) << started.toString();
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
  }
  void TearDown() override {
    if (server_) server_->stop(clock_.monotonic());
  }

  httplib::Result get(const std::string& path, const httplib::Headers& headers = {}) {
    return client_->Get(path, headers);
  }

  static void expectSecurityHeaders(const httplib::Response& response) {
    EXPECT_EQ(response.get_header_value("Content-Security-Policy").rfind("default-src 'self'", 0),
              0u)
        << response.get_header_value("Content-Security-Policy");
    EXPECT_NE(response.get_header_value("Content-Security-Policy").find("frame-ancestors 'none'"),
              std::string::npos);
    EXPECT_EQ(response.get_header_value("X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(response.get_header_value("X-Frame-Options"), "DENY");
    EXPECT_EQ(response.get_header_value("Referrer-Policy"), "no-referrer");
    EXPECT_FALSE(response.has_header("Access-Control-Allow-Origin"));
  }

  SimulatedClock clock_;
  MetricsRegistry metrics_;
  std::unique_ptr<bus::Bus> bus_;
  std::unique_ptr<Service> server_;
  std::unique_ptr<httplib::Client> client_;
  int port_ = 0;
};

std::string embedded(std::string_view name) {
  for (const EmbeddedFile& file : embeddedDashboard()) {
    if (file.name == name) return std::string(file.bytes);
  }
  return "";
}

TEST_F(DashboardTest, TheRootIsTheIndexPageWithTheSecurityHeaders) {
  auto response = get("/");
  ASSERT_TRUE(response) << httplib::to_string(response.error());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(response->get_header_value("Cache-Control"), "no-cache");
  EXPECT_EQ(response->body, embedded("index.html"));
  expectSecurityHeaders(*response);
}

TEST_F(DashboardTest, EveryFileThePageLoadsIsServedWithItsType) {
  std::string index = get("/")->body;
  std::regex reference(R"re((?:src|href)="(/ui/[^"]+)")re");
  std::map<std::string, std::string> types = {{".js", "text/javascript; charset=utf-8"},
                                              {".css", "text/css; charset=utf-8"},
                                              {".svg", "image/svg+xml"}};
  int checked = 0;
  for (std::sregex_iterator it(index.begin(), index.end(), reference), end; it != end; ++it) {
    std::string path = (*it)[1];
    auto response = get(path);
    ASSERT_TRUE(response) << path;
    EXPECT_EQ(response->status, 200) << path;
    EXPECT_EQ(response->get_header_value("Content-Type"), types[path.substr(path.rfind('.'))])
        << path;
    EXPECT_EQ(response->body, embedded(path.substr(4))) << path;
    expectSecurityHeaders(*response);
    ++checked;
  }
  EXPECT_GE(checked, 3) << "index.html loads app.js, app.css and the icon";
}

TEST_F(DashboardTest, AnUnchangedFileIsNotSentAgain) {
  auto first = get("/ui/app.js");
  ASSERT_TRUE(first);
  std::string etag = first->get_header_value("ETag");
  ASSERT_FALSE(etag.empty());
  auto again = get("/ui/app.js", {{"If-None-Match", etag}});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 304);
  EXPECT_TRUE(again->body.empty());
  auto other = get("/ui/app.css", {{"If-None-Match", etag}});
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 200);
  EXPECT_NE(other->get_header_value("ETag"), etag);
}

TEST_F(DashboardTest, AnUnknownNameIsANotFoundErrorWithTheHeaders) {
  for (const char* path : {"/ui/nope.js", "/ui/../CMakeLists.txt", "/ui/", "/ui/index.html.bak"}) {
    auto response = get(path);
    ASSERT_TRUE(response) << path;
    EXPECT_EQ(response->status, 404) << path;
    EXPECT_NE(response->body.find("\"not_found\""), std::string::npos) << response->body;
    expectSecurityHeaders(*response);
  }
}

TEST_F(DashboardTest, TheEmbeddedFilesAreTheSourceFiles) {
  std::vector<std::string> names;
  for (const EmbeddedFile& file : embeddedDashboard()) {
    names.emplace_back(file.name);
    EXPECT_EQ(file.bytes, testing::readFile(std::string(ORION_SOURCE_DIR "/src/api/dashboard/") +
                                            std::string(file.name)))
        << file.name;
  }
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"api.js", "app.css", "app.js", "dom.js", "icon.svg",
                                             "index.html", "state.js", "views.js"}));
}

TEST_F(DashboardTest, ThePageHasNoInlineScriptOrStyleAndInsertsNothingAsHtml) {
  std::string index = embedded("index.html");
  std::smatch found;
  // Every <script> loads a file; no event-handler or style attributes; nothing from elsewhere.
  std::regex inline_script(R"re(<script(?![^>]*\bsrc=)[^>]*>)re");
  EXPECT_FALSE(std::regex_search(index, found, inline_script)) << found.str();
  std::regex handler(R"re(\son[a-z]+\s*=)re");
  EXPECT_FALSE(std::regex_search(index, found, handler)) << found.str();
  EXPECT_EQ(index.find("style="), std::string::npos);
  EXPECT_EQ(index.find("<style"), std::string::npos);
  EXPECT_EQ(index.find("//"), std::string::npos) << "no absolute or protocol-relative URL";
  bool saw_session_storage = false;
  for (const EmbeddedFile& file : embeddedDashboard()) {
    if (!file.name.ends_with(".js")) continue;
    for (const char* sink : {"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write",
                             "eval(", "new Function", "localStorage", "://"}) {
      EXPECT_EQ(file.bytes.find(sink), std::string::npos) << file.name << ": " << sink;
    }
    saw_session_storage |= file.bytes.find("sessionStorage") != std::string::npos;
  }
  EXPECT_TRUE(saw_session_storage) << "the token is kept in sessionStorage";
}

}  // namespace
}  // namespace orion::api
