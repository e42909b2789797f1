#include <pwd.h>
#include <unistd.h>

#include <array>
#include <mutex>

#include "control/control.h"

namespace orion::control {

namespace {

constexpr std::array<StatusCode, 11> kCodes = {
    StatusCode::kInvalidArgument,    StatusCode::kNotFound,         StatusCode::kAlreadyExists,
    StatusCode::kFailedPrecondition, StatusCode::kPermissionDenied, StatusCode::kResourceExhausted,
    StatusCode::kDeadlineExceeded,   StatusCode::kUnavailable,      StatusCode::kCancelled,
    StatusCode::kDataLoss,           StatusCode::kInternal};

bool isWord(std::string_view word) {
  if (word.empty()) return false;
  for (char c : word) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

bool isOpName(std::string_view op) {
  size_t dot = op.find('.');
  return dot != std::string_view::npos && isWord(op.substr(0, dot)) && isWord(op.substr(dot + 1));
}

std::string userName(uid_t uid) {
  passwd entry{};
  passwd* found = nullptr;
  std::array<char, 1024> buffer{};
  if (getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found) != 0 || found == nullptr) {
    return "";
  }
  return entry.pw_name;
}

}  // namespace

std::string Peer::describe() const {
  std::string out = "uid " + std::to_string(uid);
  if (!user.empty()) out += " (" + user + ")";
  if (pid > 0) out += ", pid " + std::to_string(pid);
  if (!via.empty()) out += ", via " + via;
  return out;
}

Peer selfPeer() {
  Peer peer;
  peer.uid = geteuid();
  peer.gid = getegid();
  peer.pid = getpid();
  peer.user = userName(peer.uid);
  return peer;
}

Status OwnedOps::add(std::string op, std::string help, Handler handler) {
  if (registry_ == nullptr) return Status::ok();
  Status status = registry_->registerOp(op, std::move(help), std::move(handler));
  if (status.isOk()) ops_.push_back(std::move(op));
  return status;
}

void OwnedOps::clear() {
  if (registry_ == nullptr) return;
  for (const std::string& op : ops_) registry_->unregisterOp(op);
  ops_.clear();
}

Status Router::registerOp(std::string op, std::string help, Handler handler) {
  if (!isOpName(op) || op == "ops.list") {
    return invalidArgument("control op '" + op +
                           "': expected <module>.<verb> of lower-case letters, digits and '_'");
  }
  std::unique_lock lock(mutex_);
  if (ops_.contains(op)) {
    return {StatusCode::kAlreadyExists, "control op '" + op + "' is already registered"};
  }
  ops_.emplace(std::move(op), Entry{std::move(help), std::move(handler)});
  return Status::ok();
}

void Router::unregisterOp(std::string_view op) {
  std::unique_lock lock(mutex_);  // waits for running handlers (they hold the shared lock)
  auto it = ops_.find(op);
  if (it != ops_.end()) ops_.erase(it);
}

Result<Json> Router::dispatch(const Request& request) const {
  std::shared_lock lock(mutex_);
  if (request.op == "ops.list") {
    Json list = Json::array();
    for (const auto& [name, entry] : ops_) list.push_back({{"op", name}, {"help", entry.help}});
    return Json{{"ops", list}};
  }
  auto it = ops_.find(request.op);
  if (it == ops_.end()) {
    std::string known;
    for (const auto& [name, entry] : ops_) known += (known.empty() ? "" : ", ") + name;
    return notFound("unknown control op '" + request.op +
                    "' (this daemon serves: " + (known.empty() ? "nothing yet" : known) + ")");
  }
  try {
    return it->second.handler(request);
  } catch (const std::exception& e) {
    // A handler bug must not take the control server down with it.
    return internalError("control op '" + request.op + "' failed: " + e.what());
  }
}

std::vector<std::string> Router::ops() const {
  std::shared_lock lock(mutex_);
  std::vector<std::string> names;
  for (const auto& [name, entry] : ops_) names.push_back(name);
  return names;
}

Json responseFor(const Result<Json>& result) {
  if (result.isOk()) return Json{{"ok", true}, {"result", *result}};
  return Json{{"ok", false},
              {"error",
               {{"code", std::string(statusCodeName(result.status().code()))},
                {"message", result.status().message()}}}};
}

Result<Json> resultOf(const Json& response) {
  if (!response.is_object() || !response.contains("ok") || !response["ok"].is_boolean()) {
    return internalError("control: malformed response (expected {\"ok\": true|false, ...})");
  }
  if (response["ok"].get<bool>()) return response.value("result", Json::object());
  const Json error = response.value("error", Json::object());
  std::string code = error.is_object() ? error.value("code", "") : "";
  std::string message = error.is_object() ? error.value("message", "") : "";
  for (StatusCode candidate : kCodes) {
    if (statusCodeName(candidate) == code) return Status(candidate, message);
  }
  return internalError(message.empty() ? "control: error response without a message" : message);
}

}  // namespace orion::control
