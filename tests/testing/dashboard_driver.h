// What the dashboard's browser tests do to the page (src/api/dashboard/), in one place: open it
// in a fresh headless Chromium, wait until it has loaded and its live stream is open, answer an
// approval the way a person would (type a reason, click, give the token in the in-page form),
// check that nothing scrolls sideways, and save a screenshot as a test artifact.
//
// The selectors are the page's ids and data attributes (index.html, app.js); a change there
// changes them here. Used from the test's thread.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "common/json.h"
#include "testing/cdp_browser.h"

namespace orion::testing {

class DashboardDriver {
 public:
  // Starts chromium (profile under `work_dir`); check ok() / error().
  explicit DashboardDriver(const std::filesystem::path& work_dir, int width = 1280,
                           int height = 900);

  bool ok() const { return browser_ != nullptr; }
  const std::string& error() const { return error_; }
  CdpBrowser& browser() { return *browser_; }

  // Opens `url` (the dashboard's /) in a new tab and waits until its first load has finished.
  // Returns the page or why not.
  Result<CdpPage> open(const std::string& url);
  // Waits until the page's live stream (/api/v1/stream) is open.
  static bool waitLive(CdpPage& page, std::chrono::milliseconds timeout);

  // A JavaScript string literal for `text` (quotes and escapes it).
  static std::string literal(const std::string& text) { return Json(text).dump(); }

  // Whether the element matched by `selector` exists (evaluated now).
  static std::string exists(const std::string& selector) {
    return "document.querySelector(" + literal(selector) + ") !== null";
  }
  // The element's textContent contains `text`.
  static std::string textContains(const std::string& selector, const std::string& text) {
    return "(document.querySelector(" + literal(selector) + ")?.textContent ?? '').includes(" +
           literal(text) + ")";
  }
  // Nothing on the page is wider than the viewport.
  static std::string noHorizontalScroll() {
    return "document.documentElement.scrollWidth <= window.innerWidth && "
           "document.body.scrollWidth <= window.innerWidth";
  }

  // Types `reason` into the approval card of `request_id` (a prefix of the id is enough) and
  // clicks its `verdict` button (approve, deny, force).
  static Status answer(CdpPage& page, const std::string& request_id, const std::string& verdict,
                       const std::string& reason);
  // Fills the in-page admin token form (it must be showing) and submits it.
  static Status enterToken(CdpPage& page, const std::string& token);

  // Writes a PNG of the whole page to <build>/test-artifacts/<name>.png; returns its path or an
  // error.
  static Result<std::filesystem::path> saveScreenshot(CdpPage& page, const std::string& name);

 private:
  std::unique_ptr<CdpBrowser> browser_;
  std::string error_;
};

}  // namespace orion::testing
