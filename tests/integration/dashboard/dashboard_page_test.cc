// The dashboard's page (src/api/dashboard/) in a real headless Chromium, against a stub of the
// API it reads: the real dashboard routes (makeDashboard, so the real headers and CSP) on an
// httplib server that also answers /api/v1/* with documents the test controls and streams
// server-sent events the test pushes. It checks what the end-to-end test (dashboard_e2e_test)
// cannot provoke at will: hostile text stays text, a refused token is forgotten and asked again,
// an `overflow` reloads, long unbreakable values still fit a phone. The shapes are the ones
// docs/api.md specifies; the e2e test checks the page against the real API.
//
// Under CI=true a missing chromium fails these tests.
#include <gtest/gtest.h>
#include <httplib.h>

#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "api/route_group.h"
#include "bus/embedded_bus.h"
#include "contracts/registry.h"
#include "testing/dashboard_driver.h"
#include "testing/podman_service.h"  // ORION_REQUIRE_COMPONENT
#include "testing/temp_dir.h"
#include "testing/wait.h"

namespace orion::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kToken = "stub-admin-token-0123456789";
constexpr const char* kIncident = "6f9c1c2e-6a52-4c1e-9d3e-0c6b1f0e2a11";
constexpr const char* kDecision = "0d2b8c4a-3a1f-4e55-8a7e-5b9f2c1d0e22";
constexpr const char* kRequest = "a1b2c3d4-0000-4000-8000-000000000033";
constexpr const char* kAction = "b2c3d4e5-0000-4000-8000-000000000044";
// Hostile text: if it were inserted as HTML it would run.
constexpr const char* kHostile = R"(<img src=x onerror="window.__xss=1"><b>bold</b>)";

Json item(int seq, const std::string& type, Json document) {
  return {{"seq", seq},
          {"recorded_at", "2026-12-02T06:00:00Z"},
          {"type", type},
          {"document", std::move(document)}};
}

Json incident(const std::string& id, const std::string& description, const std::string& state) {
  return {
      {"version", "1.0"},
      {"incident_id", id},
      {"timestamp", "2026-12-02T06:00:01Z"},
      {"source", "orion-guardian"},
      {"incident_type", "service_outage"},
      {"severity", "high"},
      {"event_ids", {"e0000000-0000-4000-8000-000000000001"}},
      {"correlation_window", {{"start", "2026-12-02T06:00:00Z"}, {"end", "2026-12-02T06:00:01Z"}}},
      {"state", state},
      {"description", description},
      {"tags", {{"node", "node-a"}}}};
}

Json decision() {
  return {{"version", "1.0"},
          {"decision_id", kDecision},
          {"timestamp", "2026-12-02T06:00:02Z"},
          {"source", "orion-brain"},
          {"incident_id", kIncident},
          {"decision_type", "REQUEST_APPROVAL"},
          {"safety_classification", "RISKY"},
          {"requires_approval", true},
          {"reasoning", "N3 mode: detected service_outage; restart_container needs the admin"},
          {"proposed_action",
           {{"action_type", "restart_container"}, {"parameters", {{"container", "web"}}}}},
          {"autonomy_level", "N3"},
          {"tags",
           {{"rule", "container_down"},
            {"rule_step", "1/2"},
            {"gate.autonomy", "pass: N3 allows RISKY with approval"},
            {"gate.classification", "approval: restart_container is RISKY"},
            {"gate.circuit_breaker", "pass: closed"},
            {"gate.approval", "approval: an admin must approve"}}}};
}

Json pendingRequest(const std::string& id) {
  return {{"approval_request_id", id},
          {"decision_id", kDecision},
          {"incident_id", kIncident},
          {"action_type", "restart_container"},
          {"parameters", {{"container", "web"}}},
          {"expires_at", "2026-12-02T07:00:00Z"},
          {"seconds_left", 3000},
          {"reasoning", "restart_container is RISKY at N3: an admin must approve"}};
}

// The API's stand-in. Handlers run on httplib's worker threads; the test thread changes the data
// and pushes stream events under the mutex.
class StubApi {
 public:
  explicit StubApi(api::RouteGroup& dashboard) {
    dashboard.addRoutes(server_);
    server_.Get("/api/v1/status", [this](const httplib::Request&, httplib::Response& response) {
      std::lock_guard lock(mutex_);
      ++status_requests_;
      reply(response, status_);
    });
    server_.Get(
        "/api/v1/incidents", [this](const httplib::Request& request, httplib::Response& response) {
          std::lock_guard lock(mutex_);
          Json items = Json::array();
          for (const Json& it : incidents_) {
            if (request.get_param_value("state") != "open" || it["document"]["state"] == "open") {
              items.push_back(it);
            }
          }
          reply(response, {{"items", items}, {"next", nullptr}});
        });
    server_.Get(R"(/api/v1/incidents/([^/]+))", [this](const httplib::Request& request,
                                                       httplib::Response& response) {
      std::lock_guard lock(mutex_);
      for (const Json& it : incidents_) {
        if (it["document"]["incident_id"] == request.matches[1].str()) {
          reply(response, {{"incident", it["document"]},
                           {"versions", {it}},
                           {"events", Json::array()},
                           {"decisions", {item(3, "decision", decision())}},
                           {"approval_requests", Json::array()},
                           {"approvals", Json::array()},
                           {"actions", Json::array()},
                           {"outcomes", Json::array()}});
          return;
        }
      }
      reply(response, {{"error", {{"code", "not_found"}, {"message", "no such"}}}}, 404);
    });
    for (const char* list : {"decisions", "actions", "outcomes"}) {
      server_.Get(
          std::string("/api/v1/") + list,
          [this, name = std::string(list)](const httplib::Request&, httplib::Response& response) {
            std::lock_guard lock(mutex_);
            reply(response, {{"items", lists_[name]}, {"next", nullptr}});
          });
    }
    server_.Get("/api/v1/approvals", [this](const httplib::Request&, httplib::Response& response) {
      std::lock_guard lock(mutex_);
      reply(response, {{"pending", pending_}});
    });
    server_.Post(R"(/api/v1/approvals/([^/]+)/(approve|deny|force))",
                 [this](const httplib::Request& request, httplib::Response& response) {
                   answer(request, response);
                 });
    server_.Get("/api/v1/stream",
                [this](const httplib::Request&, httplib::Response& response) { stream(response); });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::yield();
  }

  ~StubApi() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    pushed_.notify_all();
    server_.stop();
    thread_.join();
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }

  void setIncidents(Json items) {
    std::lock_guard lock(mutex_);
    incidents_ = std::move(items);
  }
  void setList(const std::string& name, Json items) {
    std::lock_guard lock(mutex_);
    lists_[name] = std::move(items);
  }
  void setPending(Json pending) {
    std::lock_guard lock(mutex_);
    pending_ = std::move(pending);
  }
  void push(const std::string& type, const Json& document) {
    std::lock_guard lock(mutex_);
    events_.push_back("event: " + type + "\ndata: " + document.dump() + "\n\n");
    pushed_.notify_all();
  }
  Json answers() {
    std::lock_guard lock(mutex_);
    return answers_;
  }
  int statusRequests() {
    std::lock_guard lock(mutex_);
    return status_requests_;
  }
  int streams() {
    std::lock_guard lock(mutex_);
    return streams_;
  }

 private:
  static void reply(httplib::Response& response, const Json& body, int status = 200) {
    response.status = status;
    response.set_content(body.dump(), "application/json");
  }

  void answer(const httplib::Request& request, httplib::Response& response) {
    std::lock_guard lock(mutex_);
    if (request.get_header_value("Authorization") != std::string("Bearer ") + kToken) {
      reply(response,
            {{"error", {{"code", "unauthenticated"}, {"message", "bad token"}, {"field", ""}}}},
            401);
      return;
    }
    Json body = Json::parse(request.body, nullptr, false);
    answers_.push_back(
        {{"id", request.matches[1].str()}, {"verdict", request.matches[2].str()}, {"body", body}});
    pending_ = Json::array();
    reply(response, {{"answer", {{"approval_id", "c0000000-0000-4000-8000-000000000055"}}}});
  }

  void stream(httplib::Response& response) {
    size_t next = 0;
    {
      std::lock_guard lock(mutex_);
      ++streams_;
      next = events_.size();
    }
    response.set_header("Cache-Control", "no-cache");
    response.set_chunked_content_provider(
        "text/event-stream", [this, next](size_t, httplib::DataSink& sink) mutable {
          std::unique_lock lock(mutex_);
          pushed_.wait_for(lock, 100ms, [&] { return next < events_.size() || stopping_; });
          if (stopping_ || !sink.is_writable()) return false;
          std::string out = ": keep-alive\n\n";
          while (next < events_.size()) out += events_[next++];
          lock.unlock();
          return sink.write(out.data(), out.size());
        });
  }

  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mutex_;
  std::condition_variable pushed_;
  bool stopping_ = false;
  Json status_ = {
      {"node", "node-a"},
      {"version", "0.test"},
      {"uptime_seconds", 125},
      {"autonomy", {{"level", "N3"}}},
      {"bus", {{"kind", "embedded"}, {"healthy", true}, {"lag", 0}, {"deadletters", 0}}},
      {"policy", {{"valid", true}}},
      {"audit", {{"head_seq", 42}, {"chain", "ok"}, {"checked_at", nullptr}}},
      {"approvals", {{"pending", 1}}},
      {"incidents", {{"open", 1}}}};
  Json incidents_ = Json::array();
  std::map<std::string, Json> lists_ = {
      {"decisions", Json::array()}, {"actions", Json::array()}, {"outcomes", Json::array()}};
  Json pending_ = Json::array();
  Json answers_ = Json::array();
  std::vector<std::string> events_;
  int status_requests_ = 0;
  int streams_ = 0;
};

class DashboardPageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ORION_REQUIRE_COMPONENT(CdpBrowser::missingReason());
    auto contracts = contracts::ContractRegistry::loadEmbedded();
    ASSERT_TRUE(contracts.isOk()) << contracts.status().toString();
    bus_ = bus::makeEmbeddedBus({}, *contracts, clock_, metrics_);
    module_ = std::make_unique<ModuleContext>(ModuleContext{*bus_, clock_, metrics_, "node-a"});
    environment_ = std::make_unique<api::ApiEnvironment>(
        api::ApiEnvironment{config_, *module_, makeLogger("dashboard-test")});
    dashboard_ = api::makeDashboard(*environment_);
    stub_ = std::make_unique<StubApi>(*dashboard_);
    stub_->setIncidents({item(1, "incident", incident(kIncident, kHostile, "open"))});
    stub_->setList("decisions", {item(2, "decision", decision())});
    stub_->setPending({pendingRequest(kRequest)});
    driver_ = std::make_unique<DashboardDriver>(dir_.path());
    ASSERT_TRUE(driver_->ok()) << driver_->error();
  }

  void TearDown() override {
    driver_.reset();
    stub_.reset();
  }

  // The dashboard, loaded and connected; nothing (and a failure) when it could not be.
  std::optional<CdpPage> open() {
    auto page = driver_->open(stub_->url());
    if (!page) {
      ADD_FAILURE() << page.status().toString();
      return std::nullopt;
    }
    // Events pushed from now on reach the page.
    if (!DashboardDriver::waitLive(*page, 5s)) {
      ADD_FAILURE() << "the live stream did not open";
      return std::nullopt;
    }
    return std::move(*page);
  }

  TempDir dir_;
  SimulatedClock clock_;
  MetricsRegistry metrics_;
  config::Config config_;
  std::unique_ptr<bus::Bus> bus_;
  std::unique_ptr<ModuleContext> module_;
  std::unique_ptr<api::ApiEnvironment> environment_;
  std::unique_ptr<api::RouteGroup> dashboard_;
  std::unique_ptr<StubApi> stub_;
  std::unique_ptr<DashboardDriver> driver_;
};

using D = DashboardDriver;

TEST_F(DashboardPageTest, ShowsTheOverviewListsAndGatesAndKeepsHostileTextAsText) {
  auto opened = open();
  ASSERT_TRUE(opened.has_value());
  CdpPage& page = *opened;
  EXPECT_TRUE(page.waitFor(D::textContains("[data-card=autonomy]", "N3"), 5s));
  EXPECT_TRUE(page.waitFor(D::textContains("[data-card=audit_chain]", "ok"), 5s));
  EXPECT_TRUE(page.waitFor(D::textContains("[data-card=health]", "ok"), 5s));
  ASSERT_TRUE(page.waitFor(D::exists(std::string("[data-incident-id='") + kIncident + "']"), 5s));
  // The hostile description is shown as the characters it is, and nothing of it ran or parsed.
  EXPECT_TRUE(page.waitFor(D::textContains("#incidents-list", kHostile), 1s));
  EXPECT_EQ(*page.evaluate("document.querySelectorAll('#incidents-list img, #incidents-list "
                           "b').length"),
            0);
  EXPECT_EQ(*page.evaluate("window.__xss === undefined"), true);
  // The decision's gates, in the brain's order, with their verdicts.
  auto gates = page.evaluate(
      "[...document.querySelectorAll('[data-decision-id] .gate-list li')].map(li => "
      "li.dataset.gate + '=' + li.dataset.verdict)");
  ASSERT_TRUE(gates.isOk()) << gates.status().toString();
  EXPECT_EQ(*gates, Json({"autonomy=pass", "classification=approval", "circuit_breaker=pass",
                          "approval=approval"}));
  EXPECT_TRUE(page.waitFor(D::textContains("[data-decision-id]", "container_down"), 1s));
  // The incident's timeline, from /incidents/{id}.
  ASSERT_TRUE(page.evaluate("document.querySelector('[data-incident-id]').click(), true").isOk());
  EXPECT_TRUE(page.waitFor("document.querySelectorAll('#incident-timeline li').length === 2", 5s));
  EXPECT_TRUE(page.waitFor(D::textContains("#incident-timeline", "REQUEST_APPROVAL"), 1s));
  EXPECT_EQ(page.consoleErrors(), std::vector<std::string>{});
}

TEST_F(DashboardPageTest, LiveDocumentsAppearWithoutAReload) {
  auto opened = open();
  ASSERT_TRUE(opened.has_value());
  CdpPage& page = *opened;
  ASSERT_TRUE(page.evaluate("window.__same_page = 1").isOk());
  const std::string second = "7a000000-0000-4000-8000-000000000066";
  stub_->push("incident", incident(second, "the second one", "open"));
  EXPECT_TRUE(page.waitFor(D::exists("[data-incident-id='" + second + "']"), 5s));
  Json action = {{"version", "1.0"},
                 {"action_id", kAction},
                 {"timestamp", "2026-12-02T06:00:05Z"},
                 {"source", "orion-commander"},
                 {"decision_id", kDecision},
                 {"action_type", "restart_container"},
                 {"safety_classification", "RISKY"},
                 {"state", "executing"},
                 {"parameters", {{"container", "web"}}}};
  stub_->push("action", action);
  EXPECT_TRUE(page.waitFor(std::string("document.querySelector(\"[data-action-id='") + kAction +
                               "']\")?.dataset.state === 'executing'",
                           5s));
  stub_->push("outcome", {{"version", "1.0"},
                          {"outcome_id", "d0000000-0000-4000-8000-000000000077"},
                          {"timestamp", "2026-12-02T06:00:06Z"},
                          {"source", "orion-commander"},
                          {"action_id", kAction},
                          {"status", "succeeded"},
                          {"execution_time_ms", 812},
                          {"result", {{"verified", true}}}});
  EXPECT_TRUE(page.waitFor(std::string("document.querySelector(\"[data-action-id='") + kAction +
                               "']\")?.dataset.outcomeStatus === 'succeeded'",
                           5s));
  EXPECT_TRUE(page.waitFor(D::textContains("#actions-list", "verified"), 1s));
  EXPECT_EQ(*page.evaluate("window.__same_page"), 1) << "the page reloaded";
  // An overflow: the page reloads its data and opens a new stream.
  int status_requests = stub_->statusRequests();
  int streams = stub_->streams();
  stub_->push("overflow", Json::object());
  EXPECT_TRUE(waitUntil([&] { return stub_->streams() > streams; }, 5s));
  EXPECT_GT(stub_->statusRequests(), status_requests);
  EXPECT_TRUE(page.waitFor("document.body.dataset.live === 'open'", 5s));
  EXPECT_EQ(page.consoleErrors(), std::vector<std::string>{});
}

TEST_F(DashboardPageTest, TheTokenIsAskedOnceKeptInTheTabOnlyAndAskedAgainAfterA401) {
  auto opened = open();
  ASSERT_TRUE(opened.has_value());
  CdpPage& page = *opened;
  ASSERT_TRUE(page.waitFor(D::exists(std::string("[data-approval-id='") + kRequest + "']"), 5s));
  // No reason: nothing is sent.
  ASSERT_TRUE(D::answer(page, kRequest, "approve", "").isOk());
  EXPECT_TRUE(page.waitFor(D::textContains("#approvals-message", "reason"), 2s));
  EXPECT_EQ(*page.evaluate("document.getElementById('token-form').hidden"), true);

  ASSERT_TRUE(D::answer(page, kRequest, "approve", "the disk is fine again").isOk());
  ASSERT_TRUE(D::enterToken(page, "wrong-token").isOk());
  // Refused: the token is forgotten and the form asks again.
  EXPECT_TRUE(page.waitFor(D::textContains("#token-message", "refused"), 5s));
  EXPECT_TRUE(page.waitFor("!document.getElementById('token-form').hidden", 1s));
  EXPECT_EQ(*page.evaluate("sessionStorage.length"), 0);
  EXPECT_TRUE(stub_->answers().empty());

  ASSERT_TRUE(D::enterToken(page, kToken).isOk());
  ASSERT_TRUE(waitUntil([&] { return stub_->answers().size() == 1; }, 5s));
  Json answer = stub_->answers()[0];
  EXPECT_EQ(answer["id"], kRequest);
  EXPECT_EQ(answer["verdict"], "approve");
  EXPECT_EQ(answer["body"]["reason"], "the disk is fine again");
  EXPECT_EQ(*page.evaluate("sessionStorage.getItem('orion.admin_token')"), kToken);
  EXPECT_EQ(*page.evaluate("localStorage.length"), 0);
  EXPECT_TRUE(page.waitFor(D::textContains("#approvals-list", "Nothing is waiting"), 5s));

  // The next request is answered without asking again.
  const std::string next = "a1b2c3d4-0000-4000-8000-000000000088";
  stub_->setPending({pendingRequest(next)});
  stub_->push("approval_request", {{"approval_request_id", next}});
  ASSERT_TRUE(page.waitFor(D::exists("[data-approval-id='" + next + "']"), 5s));
  ASSERT_TRUE(D::answer(page, next, "deny", "not now, it is backup time").isOk());
  ASSERT_TRUE(waitUntil([&] { return stub_->answers().size() == 2; }, 5s));
  EXPECT_EQ(stub_->answers()[1]["verdict"], "deny");
  EXPECT_EQ(*page.evaluate("document.getElementById('token-form').hidden"), true);
  EXPECT_EQ(page.consoleErrors().size(), 1u) << "only the 401 is logged by the browser";
}

TEST_F(DashboardPageTest, ARequestHeldBackByACooldownOrBreakerOffersOnlyAForceWithThoseOverrides) {
  Json cooling = pendingRequest(kRequest);
  cooling["requires_override"] = "cooldown,circuit_breaker";
  cooling["cooldown_until"] = "2099-01-01T00:00:00.000000Z";
  stub_->setPending({cooling});
  auto opened = open();
  ASSERT_TRUE(opened.has_value());
  CdpPage& page = *opened;
  const std::string item = std::string("[data-approval-id='") + kRequest + "']";
  ASSERT_TRUE(page.waitFor(D::exists(item), 5s));
  EXPECT_TRUE(page.waitFor(D::textContains(item, "cooldown runs until 2099-01-01"), 2s));
  EXPECT_TRUE(page.waitFor(D::textContains(item, "circuit breaker is open"), 2s));
  EXPECT_EQ(
      *page.evaluate("!!document.querySelector(\"" + item + " button[data-verdict='approve']\")"),
      false);
  ASSERT_TRUE(D::answer(page, kRequest, "force", "the restart loop is understood now").isOk());
  ASSERT_TRUE(D::enterToken(page, kToken).isOk());
  ASSERT_TRUE(waitUntil([&] { return stub_->answers().size() == 1; }, 5s));
  Json answer = stub_->answers()[0];
  EXPECT_EQ(answer["verdict"], "force");
  EXPECT_EQ(answer["body"]["override_cooldown"], true);
  EXPECT_EQ(answer["body"]["override_breaker"], true);
}

TEST_F(DashboardPageTest, At375PixelsWideNothingScrollsSideways) {
  std::string long_word(300, 'x');
  stub_->setIncidents({item(1, "incident", incident(kIncident, long_word, "open"))});
  Json wide = pendingRequest(kRequest);
  wide["parameters"] = {{"container", std::string(200, 'c')}};
  stub_->setPending({wide});
  auto opened = open();
  ASSERT_TRUE(opened.has_value());
  CdpPage& page = *opened;
  ASSERT_TRUE(page.setViewport(375, 740, true).isOk());
  ASSERT_TRUE(page.waitFor(D::exists("[data-approval-id]"), 5s));
  EXPECT_EQ(*page.evaluate("window.innerWidth"), 375);
  EXPECT_TRUE(page.waitFor(D::noHorizontalScroll(), 2s))
      << page.evaluate("document.documentElement.scrollWidth")->dump();
  auto shot = D::saveScreenshot(page, "dashboard_stub_375px");
  ASSERT_TRUE(shot.isOk()) << shot.status().toString();
  std::cout << "screenshot: " << shot->string() << "\n";
}

}  // namespace
}  // namespace orion::testing
