// A headless Chromium (Debian's `chromium`) driven over the DevTools protocol, for browser tests
// without npm: the browser is started with --remote-debugging-pipe, and CDP messages (JSON texts,
// each ended by a NUL byte) go to its fd 3 and come back from its fd 4.
//
//   auto browser = CdpBrowser::launch({.work_dir = dir.path()});
//   auto page = (*browser)->openPage("http://127.0.0.1:9750/");
//   page->waitFor("document.querySelector('#x') !== null", 10s);
//   auto png = page->screenshotPng();
//
// The browser runs in its own process group with a fresh profile under work_dir; the destructor
// closes it (Browser.close, then SIGKILL to the group) and reaps it. Console errors and uncaught
// exceptions of each page are collected (consoleErrors()).
//
// Threads: one reader thread owned by CdpBrowser receives every message; call(), and every
// CdpPage method, may be used from any thread, and block until the answer or the timeout.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/json.h"
#include "common/status.h"

namespace orion::testing {

class CdpBrowser;

// One tab, attached with a flat session (Target.attachToTarget flatten: true).
class CdpPage {
 public:
  CdpPage(CdpBrowser& browser, std::string target_id, std::string session_id)
      : browser_(&browser), target_id_(std::move(target_id)), session_id_(std::move(session_id)) {}

  // A command on this page's session; the answer's "result", or its error.
  Result<Json> call(const std::string& method, const Json& params = Json::object(),
                    std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Navigates and waits (up to `timeout`) until the document has loaded.
  Status navigate(const std::string& url,
                  std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Runtime.evaluate with awaitPromise and returnByValue: the expression's value as JSON (null
  // for undefined); a thrown exception is an error carrying its text.
  Result<Json> evaluate(const std::string& expression,
                        std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Polls `condition` (a JavaScript expression) until it is truthy or `timeout` passes.
  // Returns whether it held; `last_error` (if given) gets the last evaluation error.
  bool waitFor(const std::string& condition, std::chrono::milliseconds timeout,
               std::string* last_error = nullptr);
  // Emulation.setDeviceMetricsOverride: a `width` × `height` CSS-pixel viewport.
  Status setViewport(int width, int height, bool mobile);
  // Page.captureScreenshot of the whole page (beyond the viewport), as PNG bytes.
  Result<std::string> screenshotPng();
  // Console errors, failed loads and uncaught exceptions seen on this page so far.
  std::vector<std::string> consoleErrors() const;

  const std::string& sessionId() const { return session_id_; }

 private:
  CdpBrowser* browser_;
  std::string target_id_;
  std::string session_id_;
};

class CdpBrowser {
 public:
  struct Options {
    std::filesystem::path work_dir;  // the profile and chromium's stdout/stderr go here
    int width = 1280;                // the window, in CSS pixels
    int height = 900;
  };

  // The chromium executable ("" when not installed; scripts/install-deps.sh installs it).
  static std::string executable();
  // "" when a browser test can run; else why not (a test fails on it under CI=true, see
  // ORION_REQUIRE_COMPONENT in podman_service.h).
  static std::string missingReason();

  // Starts chromium and checks that it answers (Browser.getVersion).
  static Result<std::unique_ptr<CdpBrowser>> launch(const Options& options);
  ~CdpBrowser();
  CdpBrowser(const CdpBrowser&) = delete;
  CdpBrowser& operator=(const CdpBrowser&) = delete;

  // A browser-level command, or a session's when `session_id` is given.
  Result<Json> call(const std::string& method, const Json& params = Json::object(),
                    const std::string& session_id = "",
                    std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // A new tab on about:blank with Page, Runtime and Log enabled, then navigated to `url`.
  Result<CdpPage> openPage(const std::string& url);

  std::vector<std::string> errorsOf(const std::string& session_id) const;
  // Chromium's own stderr so far (for failure messages).
  std::string log() const;

 private:
  CdpBrowser() = default;
  Status start(const Options& options);
  void readLoop();
  void dispatch(Json message);

  pid_t pid_ = -1;
  int to_browser_ = -1;    // our end of chromium's fd 3
  int from_browser_ = -1;  // our end of chromium's fd 4
  std::filesystem::path log_path_;
  std::thread reader_;

  mutable std::mutex mutex_;
  std::condition_variable answered_;
  int next_id_ = 1;
  bool closed_ = false;                                     // chromium's end of the pipe closed
  std::map<int, Json> answers_;                             // id → the whole answer message
  std::map<std::string, std::vector<std::string>> errors_;  // session id → console errors
  std::mutex write_mutex_;
};

// Writes `bytes` to `path` (creating its directory); false on failure.
bool writeBinaryFile(const std::filesystem::path& path, const std::string& bytes);

}  // namespace orion::testing
