#include "testing/cdp_browser.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "testing/podman_service.h"  // findExecutable
#include "testing/temp_dir.h"
#include "testing/wait.h"

extern char** environ;

namespace orion::testing {

namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// A socketpair rather than pipes: our side writes with MSG_NOSIGNAL, so a browser that died
// is an error, not a SIGPIPE that kills the test. Chromium only read()s and write()s its fds.
struct Channel {
  int ours = -1;
  int theirs = -1;
};

Result<Channel> makeChannel() {
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
    return internalError(std::string("socketpair: ") + std::strerror(errno));
  }
  // Chromium's side is moved above the low numbers, so dup2 onto 3 and 4 always copies (a dup2
  // onto itself would keep the close-on-exec flag).
  int theirs = fcntl(fds[1], F_DUPFD_CLOEXEC, 10);
  close(fds[1]);
  if (theirs < 0) {
    close(fds[0]);
    return internalError(std::string("fcntl: ") + std::strerror(errno));
  }
  return Channel{fds[0], theirs};
}

// Everything a Runtime/Log event says went wrong on a page, as one line.
std::optional<std::string> errorText(const std::string& method, const Json& params) {
  if (method == "Runtime.exceptionThrown") {
    const Json& details = params.value("exceptionDetails", Json::object());
    std::string text = details.value("text", "exception");
    if (details.contains("exception")) {
      text += ": " + details["exception"].value("description", "");
    }
    return "exception: " + text;
  }
  if (method == "Runtime.consoleAPICalled") {
    std::string type = params.value("type", "");
    if (type != "error" && type != "assert") return std::nullopt;
    std::string text = "console." + type + ":";
    for (const Json& argument : params.value("args", Json::array())) {
      text += " " + (argument.contains("value") ? argument["value"].dump()
                                                : argument.value("description", "?"));
    }
    return text;
  }
  if (method == "Log.entryAdded") {
    const Json& entry = params.value("entry", Json::object());
    if (entry.value("level", "") != "error") return std::nullopt;
    return "log (" + entry.value("source", "?") + "): " + entry.value("text", "") + " " +
           entry.value("url", "");
  }
  return std::nullopt;
}

Result<std::string> decodeBase64(const std::string& text) {
  std::string out(text.size() / 4 * 3 + 3, '\0');
  int length = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                               reinterpret_cast<const unsigned char*>(text.data()),
                               static_cast<int>(text.size()));
  if (length < 0) return invalidArgument("not base64");
  // EVP_DecodeBlock counts the padding as zero bytes.
  size_t padding = 0;
  for (size_t i = text.size(); i > 0 && text[i - 1] == '='; --i) ++padding;
  out.resize(static_cast<size_t>(length) - padding);
  return out;
}

}  // namespace

// ---- CdpPage ----------------------------------------------------------------------------

Result<Json> CdpPage::call(const std::string& method, const Json& params,
                           std::chrono::milliseconds timeout) {
  return browser_->call(method, params, session_id_, timeout);
}

Status CdpPage::navigate(const std::string& url, std::chrono::milliseconds timeout) {
  auto navigated = call("Page.navigate", {{"url", url}}, timeout);
  if (!navigated) return navigated.status();
  if (navigated->contains("errorText")) {
    return unavailable("navigating to " + url + ": " +
                       (*navigated)["errorText"].get<std::string>());
  }
  std::string error;
  if (!waitFor("document.readyState === 'complete' && location.href !== 'about:blank'", timeout,
               &error)) {
    return unavailable("navigating to " + url + ": the page did not load " + error);
  }
  return Status::ok();
}

Result<Json> CdpPage::evaluate(const std::string& expression, std::chrono::milliseconds timeout) {
  auto evaluated = call("Runtime.evaluate",
                        {{"expression", expression},
                         {"awaitPromise", true},
                         {"returnByValue", true},
                         {"userGesture", true}},
                        timeout);
  if (!evaluated) return evaluated.status();
  if (evaluated->contains("exceptionDetails")) {
    const Json& details = (*evaluated)["exceptionDetails"];
    std::string text = details.value("text", "exception");
    if (details.contains("exception")) {
      text += " " + details["exception"].value("description", "");
    }
    return invalidArgument("evaluating `" + expression + "`: " + text);
  }
  const Json& result = (*evaluated)["result"];
  return result.contains("value") ? result["value"] : Json(nullptr);
}

bool CdpPage::waitFor(const std::string& condition, std::chrono::milliseconds timeout,
                      std::string* last_error) {
  return waitUntil(
      [&] {
        auto value = evaluate("Boolean(" + condition + ")", 5s);
        if (!value) {
          if (last_error != nullptr) *last_error = value.status().message();
          return false;
        }
        return value->is_boolean() && value->get<bool>();
      },
      timeout);
}

Status CdpPage::setViewport(int width, int height, bool mobile) {
  return call("Emulation.setDeviceMetricsOverride",
              {{"width", width}, {"height", height}, {"deviceScaleFactor", 1}, {"mobile", mobile}})
      .status();
}

Result<std::string> CdpPage::screenshotPng() {
  auto shot =
      call("Page.captureScreenshot",
           {{"format", "png"}, {"captureBeyondViewport", true}, {"fromSurface", true}}, 20s);
  if (!shot) return shot.status();
  return decodeBase64(shot->value("data", ""));
}

std::vector<std::string> CdpPage::consoleErrors() const { return browser_->errorsOf(session_id_); }

// ---- CdpBrowser -------------------------------------------------------------------------

std::string CdpBrowser::executable() {
  for (const char* name : {"chromium", "chromium-browser"}) {
    std::string found = findExecutable(name);
    if (!found.empty()) return found;
  }
  return "";
}

std::string CdpBrowser::missingReason() {
  if (executable().empty()) {
    return "chromium is not installed (package chromium; scripts/install-deps.sh installs it)";
  }
  return "";
}

Result<std::unique_ptr<CdpBrowser>> CdpBrowser::launch(const Options& options) {
  std::unique_ptr<CdpBrowser> browser(new CdpBrowser());
  ORION_RETURN_IF_ERROR(browser->start(options));
  auto version = browser->call("Browser.getVersion", Json::object(), "", 30s);
  if (!version) {
    return unavailable("chromium did not answer: " + version.status().message() + "\n" +
                       browser->log());
  }
  return browser;
}

Status CdpBrowser::start(const Options& options) {
  std::string binary = executable();
  if (binary.empty()) return notFound(missingReason());
  fs::path profile = options.work_dir / "chromium-profile";
  fs::create_directories(profile);
  log_path_ = options.work_dir / "chromium.log";

  auto commands = makeChannel();  // chromium reads fd 3
  if (!commands) return commands.status();
  auto replies = makeChannel();  // chromium writes fd 4
  if (!replies) return replies.status();
  to_browser_ = commands->ours;
  from_browser_ = replies->ours;

  std::vector<std::string> args = {
      binary,
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--no-default-browser-check",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-extensions",
      "--disable-dev-shm-usage",
      "--mute-audio",
      "--user-data-dir=" + profile.string(),
      "--window-size=" + std::to_string(options.width) + "," + std::to_string(options.height),
      "--remote-debugging-pipe",
      "about:blank"};
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawn_file_actions_adddup2(&actions, commands->theirs, 3);
  posix_spawn_file_actions_adddup2(&actions, replies->theirs, 4);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  // Its own process group: the destructor kills chromium and every helper process it forked.
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attributes, 0);
  int spawned = posix_spawn(&pid_, binary.c_str(), &actions, &attributes, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  close(commands->theirs);
  close(replies->theirs);
  if (spawned != 0) {
    pid_ = -1;
    return unavailable("cannot start " + binary + ": " + std::strerror(spawned));
  }
  reader_ = std::thread([this] { readLoop(); });
  return Status::ok();
}

CdpBrowser::~CdpBrowser() {
  if (pid_ > 0) {
    // Politely first (it flushes its profile), then the whole group.
    (void)call("Browser.close", Json::object(), "", 2s);
    int status = 0;
    bool exited = waitUntil([&] { return waitpid(pid_, &status, WNOHANG) == pid_; }, 3s);
    kill(-pid_, SIGKILL);
    if (!exited) waitpid(pid_, &status, 0);
  }
  if (to_browser_ >= 0) shutdown(to_browser_, SHUT_RDWR);
  if (from_browser_ >= 0) shutdown(from_browser_, SHUT_RDWR);
  if (reader_.joinable()) reader_.join();
  if (to_browser_ >= 0) close(to_browser_);
  if (from_browser_ >= 0) close(from_browser_);
}

Result<Json> CdpBrowser::call(const std::string& method, const Json& params,
                              const std::string& session_id, std::chrono::milliseconds timeout) {
  int id = 0;
  {
    std::lock_guard lock(mutex_);
    if (closed_) return unavailable("chromium has gone (" + method + ")");
    id = next_id_++;
  }
  Json message = {{"id", id}, {"method", method}, {"params", params}};
  if (!session_id.empty()) message["sessionId"] = session_id;
  std::string text = message.dump();
  text.push_back('\0');
  {
    std::lock_guard lock(write_mutex_);
    size_t sent = 0;
    while (sent < text.size()) {
      ssize_t n = send(to_browser_, text.data() + sent, text.size() - sent, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return unavailable("writing to chromium: " + std::string(std::strerror(errno)));
      sent += static_cast<size_t>(n);
    }
  }
  std::unique_lock lock(mutex_);
  bool arrived = answered_.wait_for(lock, timeout, [&] { return answers_.count(id) || closed_; });
  if (!answers_.count(id)) {
    return unavailable(method + (arrived ? ": chromium has gone" : ": no answer in time"));
  }
  Json answer = std::move(answers_[id]);
  answers_.erase(id);
  if (answer.contains("error")) {
    return invalidArgument(method + ": " + answer["error"].value("message", answer.dump()));
  }
  return answer.value("result", Json::object());
}

Result<CdpPage> CdpBrowser::openPage(const std::string& url) {
  auto target = call("Target.createTarget", {{"url", "about:blank"}});
  if (!target) return target.status();
  std::string target_id = target->value("targetId", "");
  auto attached = call("Target.attachToTarget", {{"targetId", target_id}, {"flatten", true}});
  if (!attached) return attached.status();
  CdpPage page(*this, target_id, attached->value("sessionId", ""));
  for (const char* domain : {"Page.enable", "Runtime.enable", "Log.enable"}) {
    auto enabled = page.call(domain);
    if (!enabled) return enabled.status();
  }
  ORION_RETURN_IF_ERROR(page.navigate(url));
  return page;
}

std::vector<std::string> CdpBrowser::errorsOf(const std::string& session_id) const {
  std::lock_guard lock(mutex_);
  auto found = errors_.find(session_id);
  return found == errors_.end() ? std::vector<std::string>{} : found->second;
}

std::string CdpBrowser::log() const { return readFile(log_path_); }

void CdpBrowser::readLoop() {
  std::string buffer;
  char chunk[65536];
  while (true) {
    ssize_t n = read(from_browser_, chunk, sizeof(chunk));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    buffer.append(chunk, static_cast<size_t>(n));
    size_t end;
    while ((end = buffer.find('\0')) != std::string::npos) {
      auto message = parseJson(std::string_view(buffer).substr(0, end));
      buffer.erase(0, end + 1);
      if (message) dispatch(std::move(*message));
    }
  }
  std::lock_guard lock(mutex_);
  closed_ = true;
  answered_.notify_all();
}

void CdpBrowser::dispatch(Json message) {
  std::lock_guard lock(mutex_);
  if (message.contains("id") && message["id"].is_number_integer()) {
    int id = message["id"].get<int>();
    answers_[id] = std::move(message);
    answered_.notify_all();
    return;
  }
  auto error = errorText(message.value("method", ""), message.value("params", Json::object()));
  if (error) errors_[message.value("sessionId", "")].push_back(std::move(*error));
}

bool writeBinaryFile(const fs::path& path, const std::string& bytes) {
  std::error_code ignored;
  fs::create_directories(path.parent_path(), ignored);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return static_cast<bool>(out);
}

}  // namespace orion::testing
