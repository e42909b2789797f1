// End to end, the dashboard in a real headless Chromium against the real `orion run`: N3, the
// API on a free loopback port with an admin token, the watcher and the commander on a private
// podman API service (tests/testing/podman_service.h), restart_container made RISKY so that a
// dead container waits for the admin. The browser opens the dashboard; the container is killed;
// the incident and then the pending approval appear on the open page (no reload); the admin
// types a reason, clicks Approve, gives the token in the page's form; the restart's outcome
// (succeeded) appears. A screenshot of the page is saved under <build>/test-artifacts/.
//
// And, without containers: the page loads with no console error and fits a 375 px wide phone.
//
// Under CI=true a missing chromium or podman fails these tests.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <iostream>
#include <optional>

#include "child_process.h"
#include "policy_edits.h"
#include "testing/audit_chain.h"
#include "testing/dashboard_driver.h"
#include "testing/podman_suite.h"
#include "testing/redis_server.h"  // freeLoopbackPort
#include "testing/temp_dir.h"
#include "testing/wait.h"

namespace orion::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using D = DashboardDriver;

constexpr const char* kToken = "dashboard-e2e-token-5f0c3a9d2b7e4c18a6d1";

class DashboardE2eTest : public PodmanSuite {
 protected:
  void SetUp() override {
    PodmanSuite::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ORION_REQUIRE_COMPONENT(CdpBrowser::missingReason());
    fs::copy(ORION_SOURCE_DIR "/policies", policies());
    key_ = privateFile("admin.key", "0123456789abcdef0123456789abcdef\n");
    token_ = privateFile("admin.token", kToken);
    port_ = freeLoopbackPort();
    ASSERT_GT(port_, 0);
  }

  void TearDown() override {
    driver_.reset();
    if (orion_) {
      orion_->signal(SIGTERM);
      orion_->waitExit(15s);
    }
    orion_.reset();
    PodmanSuite::TearDown();
  }

  fs::path privateFile(const std::string& name, const std::string& text) {
    fs::path path = dir_.write(name, text);
    fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write);
    return path;
  }
  fs::path policies() const { return dir_.path() / "policies"; }
  fs::path stateDir() const { return dir_.path() / "state"; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }

  // `orion run` at N3 with the API; with `containers`, watching this suite's podman.
  void startOrion(bool containers) {
    std::string watcher = "watcher:\n  host:\n    enabled: false\n";
    std::string commander;
    if (containers) {
      watcher +=
          "  sources:\n"
          "    - type: containers\n"
          "      socket: " +
          podman_->socketPath() +
          "\n      interval: 500ms\n"
          "      select_labels: [orion.watch=true]\n";
      commander =
          "commander:\n  docker_socket: " + podman_->socketPath() + "\n  verify_timeout: 2s\n";
    }
    fs::path config = dir_.write(
        "orion.yaml", "state_dir: " + stateDir().string() + "\nlog:\n  level: info\n" +
                          "brain:\n  autonomy_level: N3\n  policy_dir: " + policies().string() +
                          "\napproval:\n  admin_key_file: " + key_.string() +
                          "\napi:\n  enabled: true\n  listen: 127.0.0.1:" + std::to_string(port_) +
                          "\n  admin_token_file: " + token_.string() + "\n" + commander + watcher);
    orion_ = std::make_unique<ChildProcess>(
        ORION_BINARY, std::vector<std::string>{"run", "--config", config.string(), "--no-summary"},
        ChildProcess::Options{dir_.path(), std::nullopt, {}});
    ASSERT_TRUE(orion_->started()) << orion_->error();
    ASSERT_TRUE(waitUntil(
        [&] {
          return orion_->err().find("API listening") != std::string::npos || !orion_->running();
        },
        20s));
    ASSERT_TRUE(orion_->running()) << orion_->err();
  }

  // A fresh browser on the dashboard, loaded and connected; nothing when it could not be.
  std::optional<CdpPage> openDashboard(int width = 1280, int height = 900) {
    driver_ = std::make_unique<DashboardDriver>(dir_.path(), width, height);
    if (!driver_->ok()) {
      ADD_FAILURE() << driver_->error();
      return std::nullopt;
    }
    auto page = driver_->open(url());
    if (!page) {
      ADD_FAILURE() << page.status().toString() << "\n" << orion_->err();
      return std::nullopt;
    }
    return std::move(*page);
  }

  void saveScreenshot(CdpPage& page, const std::string& name) {
    auto shot = D::saveScreenshot(page, name);
    ASSERT_TRUE(shot.isOk()) << shot.status().toString();
    std::cout << "screenshot: " << shot->string() << "\n";
  }

  TempDir dir_;
  fs::path key_;
  fs::path token_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> orion_;
  std::unique_ptr<DashboardDriver> driver_;
};

TEST_F(DashboardE2eTest, AnIncidentAppearsLiveAndAnApprovalFromThePageRunsTheRestart) {
  ASSERT_TRUE(makeRestartRisky(policies(), "600s"));
  auto ran = podman_->podman({"run", "--detach", "--name", "web", "--label", "orion.watch=true",
                              PodmanService::kTestImage, "/bin/busybox", "sleep", "3600"});
  ASSERT_TRUE(ran.isOk()) << ran.status().toString();
  startOrion(true);
  ASSERT_FALSE(HasFatalFailure());
  auto opened = openDashboard();
  ASSERT_TRUE(opened.has_value());
  CdpPage& page = *opened;
  EXPECT_TRUE(page.waitFor(D::textContains("[data-card=autonomy]", "N3"), 10s));
  ASSERT_TRUE(D::waitLive(page, 10s)) << "the live stream did not open";
  ASSERT_TRUE(page.evaluate("window.__same_page = 1").isOk());
  // The watcher follows the engine's events before the kill.
  ASSERT_TRUE(waitUntil(
      [&] { return orion_->err().find("watching container events") != std::string::npos; }, 10s))
      << orion_->err();

  auto killed = podman_->podman({"kill", "web"});
  ASSERT_TRUE(killed.isOk()) << killed.status().toString();
  std::string error;
  ASSERT_TRUE(page.waitFor("document.querySelector('#incidents-list [data-incident-id]') !== null",
                           30s, &error))
      << error << "\n"
      << orion_->err();
  ASSERT_TRUE(page.waitFor("document.querySelector('#approvals-list [data-approval-id]') !== null",
                           30s, &error))
      << error;
  EXPECT_TRUE(page.waitFor(D::textContains("#approvals-list", "restart_container"), 1s));
  EXPECT_TRUE(page.waitFor(D::textContains("#decisions-list", "REQUEST_APPROVAL"), 10s));
  EXPECT_EQ(*page.evaluate("window.__same_page"), 1) << "the page reloaded";

  auto request = page.evaluate(
      "document.querySelector('#approvals-list [data-approval-id]').dataset.approvalId");
  ASSERT_TRUE(request.isOk() && request->is_string()) << request.status().toString();
  ASSERT_TRUE(D::answer(page, *request, "approve", "approved from the dashboard test").isOk());
  ASSERT_TRUE(D::enterToken(page, kToken).isOk());
  ASSERT_TRUE(page.waitFor(
      "[...document.querySelectorAll('#actions-list [data-action-id]')].some(a => "
      "a.dataset.outcomeStatus === 'succeeded' && a.textContent.includes('restart_container'))",
      30s, &error))
      << error << "\n"
      << page.evaluate("document.getElementById('approvals-message').textContent")->dump() << "\n"
      << orion_->err();
  EXPECT_TRUE(page.waitFor(D::textContains("#approvals-list", "Nothing is waiting"), 10s));
  EXPECT_EQ(*page.evaluate("window.__same_page"), 1) << "the page reloaded";
  auto running = podman_->podman({"inspect", "--format", "{{.State.Running}}", "web"});
  EXPECT_TRUE(running.isOk() && *running == "true");

  // The incident's timeline holds the whole story. The container is up again, so the incident
  // may be resolved already: it is among the recent ones.
  ASSERT_TRUE(page.evaluate("document.querySelector('[data-filter=all]').click(), true").isOk());
  ASSERT_TRUE(page.waitFor("document.querySelector('#incidents-list [data-incident-id]') !== null",
                           10s, &error))
      << error;
  ASSERT_TRUE(
      page.evaluate("document.querySelector('#incidents-list [data-incident-id]').click(), true")
          .isOk());
  EXPECT_TRUE(
      page.waitFor("document.querySelector('#incident-timeline li[data-type=outcome]')", 10s));
  saveScreenshot(page, "dashboard_e2e");
  // The approval is signed and recorded like the CLI's.
  auto records = readAudit(stateDir() / "audit");
  bool approved = false;
  for (const auto& record : records) {
    approved |= record.type == "approval_decision" &&
                record.document.value("decision", "") == "approve" &&
                record.document.value("reason", "") == "approved from the dashboard test";
  }
  EXPECT_TRUE(approved);
}

TEST_F(DashboardE2eTest, ThePageHasNoConsoleErrorAndFitsAPhone) {
  startOrion(false);
  ASSERT_FALSE(HasFatalFailure());
  auto opened = openDashboard(375, 740);
  ASSERT_TRUE(opened.has_value());
  CdpPage& page = *opened;
  ASSERT_TRUE(page.setViewport(375, 740, true).isOk());
  EXPECT_TRUE(page.waitFor(D::textContains("[data-card=autonomy]", "N3"), 10s));
  EXPECT_TRUE(D::waitLive(page, 10s)) << "the live stream did not open";
  EXPECT_TRUE(page.waitFor(D::textContains("[data-card=audit_chain]", "ok"), 10s) ||
              page.waitFor(D::textContains("[data-card=audit_chain]", "unknown"), 1s));
  EXPECT_TRUE(page.waitFor(D::noHorizontalScroll(), 5s))
      << page.evaluate("document.documentElement.scrollWidth")->dump();
  EXPECT_EQ(*page.evaluate("window.innerWidth"), 375);
  saveScreenshot(page, "dashboard_e2e_375px");
  EXPECT_EQ(page.consoleErrors(), std::vector<std::string>{});
}

}  // namespace
}  // namespace orion::testing
