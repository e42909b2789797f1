#include "testing/dashboard_driver.h"

namespace orion::testing {

using namespace std::chrono_literals;

DashboardDriver::DashboardDriver(const std::filesystem::path& work_dir, int width, int height) {
  auto launched = CdpBrowser::launch({work_dir, width, height});
  if (!launched) {
    error_ = launched.status().toString();
    return;
  }
  browser_ = std::move(*launched);
}

bool DashboardDriver::waitLive(CdpPage& page, std::chrono::milliseconds timeout) {
  return page.waitFor("document.body.dataset.live === 'open'", timeout);
}

Result<CdpPage> DashboardDriver::open(const std::string& url) {
  auto page = browser_->openPage(url);
  if (!page) return page.status();
  std::string error;
  if (!page->waitFor("document.body.dataset.loaded === 'true'", 15s, &error)) {
    return unavailable("the dashboard did not load " + error);
  }
  return page;
}

Status DashboardDriver::answer(CdpPage& page, const std::string& request_id,
                               const std::string& verdict, const std::string& reason) {
  std::string card = "document.querySelector('[data-approval-id^=' + JSON.stringify(" +
                     literal(request_id) + ") + ']')";
  auto clicked = page.evaluate("(() => { const card = " + card +
                               "; if (!card) return 'no card';"
                               " const reason = card.querySelector('input.reason');"
                               " reason.value = " +
                               literal(reason) +
                               "; reason.dispatchEvent(new Event('input', {bubbles: true}));"
                               " const button = card.querySelector('button[data-verdict=" +
                               verdict + "]'); if (!button) return 'no " + verdict +
                               " button'; button.click(); return 'ok'; })()");
  if (!clicked) return clicked.status();
  if (*clicked != "ok") return notFound("approval card " + request_id + ": " + clicked->dump());
  return Status::ok();
}

Status DashboardDriver::enterToken(CdpPage& page, const std::string& token) {
  if (!page.waitFor("!document.getElementById('token-form').hidden", 5s)) {
    return failedPrecondition("the admin token form is not showing");
  }
  auto submitted =
      page.evaluate("(() => { document.getElementById('token-input').value = " + literal(token) +
                    "; document.getElementById('token-form').requestSubmit(); return true; })()");
  return submitted.status();
}

Result<std::filesystem::path> DashboardDriver::saveScreenshot(CdpPage& page,
                                                              const std::string& name) {
  auto png = page.screenshotPng();
  if (!png) return png.status();
  std::filesystem::path path = std::filesystem::path(ORION_TEST_ARTIFACTS_DIR) / (name + ".png");
  if (!writeBinaryFile(path, *png)) return internalError("cannot write " + path.string());
  return path;
}

}  // namespace orion::testing
