#include "docker/docker_client.h"

#include <sys/stat.h>

namespace orion::docker {
namespace {

std::string percentEncoded(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '_' || c == '.' || c == '~';
    if (plain) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

// The engine's {"message": "..."} error body, or the start of the body.
std::string engineMessage(const std::string& body) {
  Result<Json> json = parseJson(body);
  if (json && json->is_object() && json->contains("message") && (*json)["message"].is_string()) {
    return (*json)["message"].get<std::string>();
  }
  return body.substr(0, 200);
}

Status statusFor(int http_status, const std::string& what, const std::string& body) {
  std::string message =
      what + ": engine answered " + std::to_string(http_status) + ": " + engineMessage(body);
  if (http_status == 404) return notFound(std::move(message));
  if (http_status == 409) return failedPrecondition(std::move(message));
  if (http_status >= 500) return unavailable(std::move(message));
  return invalidArgument(std::move(message));
}

int64_t wholeSeconds(Duration duration) {
  return std::chrono::duration_cast<std::chrono::seconds>(duration).count();
}

}  // namespace

DockerClient::DockerClient(std::string socket_path, const Clock& clock, Duration timeout)
    : http_(std::move(socket_path), clock), timeout_(timeout) {}

Result<Json> DockerClient::getJson(const std::string& target, const std::string& what) const {
  Result<HttpResponse> response = http_.request("GET", target, "", timeout_);
  if (!response) return response.status().withContext(what);
  if (response->status != 200) return statusFor(response->status, what, response->body);
  Result<Json> json = parseJson(response->body);
  if (!json) return json.status().withContext(what);
  return json;
}

Status DockerClient::post(const std::string& target, const std::string& what,
                          Duration timeout) const {
  Result<HttpResponse> response = http_.request("POST", target, "", timeout);
  if (!response) return response.status().withContext(what);
  if (response->status == 204 || response->status == 304 || response->status == 200) {
    return Status::ok();
  }
  return statusFor(response->status, what, response->body);
}

Result<std::string> DockerClient::version() const {
  Result<Json> json = getJson("/version", "engine version");
  if (!json) return json.status();
  std::string name = "Docker Engine";
  if (auto components = json->find("Components");
      components != json->end() && components->is_array() && !components->empty() &&
      (*components)[0].is_object() && (*components)[0].contains("Name") &&
      (*components)[0]["Name"].is_string()) {
    name = (*components)[0]["Name"].get<std::string>();
  }
  std::string version = json->value("Version", "");
  if (version.empty()) return invalidArgument("engine version: no Version in the answer");
  return name + " " + version;
}

Result<std::vector<ContainerSummary>> DockerClient::listContainers(bool all) const {
  Result<Json> json =
      getJson(std::string("/containers/json?all=") + (all ? "1" : "0"), "listing containers");
  if (!json) return json.status();
  return parseContainerList(*json);
}

Result<ContainerDetails> DockerClient::inspectContainer(std::string_view id_or_name) const {
  std::string what = "inspecting container '" + std::string(id_or_name) + "'";
  Result<Json> json = getJson("/containers/" + percentEncoded(id_or_name) + "/json", what);
  if (!json) return json.status();
  Result<ContainerDetails> details = parseContainerDetails(*json);
  if (!details) return details.status().withContext(what);
  return details;
}

Status DockerClient::startContainer(std::string_view id_or_name) const {
  return post("/containers/" + percentEncoded(id_or_name) + "/start",
              "starting container '" + std::string(id_or_name) + "'", timeout_);
}

Status DockerClient::stopContainer(std::string_view id_or_name, Duration grace) const {
  return post("/containers/" + percentEncoded(id_or_name) +
                  "/stop?t=" + std::to_string(wholeSeconds(grace)),
              "stopping container '" + std::string(id_or_name) + "'", timeout_ + grace);
}

Status DockerClient::restartContainer(std::string_view id_or_name, Duration grace) const {
  return post("/containers/" + percentEncoded(id_or_name) +
                  "/restart?t=" + std::to_string(wholeSeconds(grace)),
              "restarting container '" + std::string(id_or_name) + "'", timeout_ + grace);
}

Status DockerClient::killContainer(std::string_view id_or_name, std::string_view signal) const {
  return post(
      "/containers/" + percentEncoded(id_or_name) + "/kill?signal=" + percentEncoded(signal),
      "killing container '" + std::string(id_or_name) + "'", timeout_);
}

Status DockerClient::streamEvents(const EventOptions& options,
                                  const std::function<void()>& on_connected,
                                  const std::function<void(const EngineEvent&)>& on_event,
                                  const Cancellation& cancel, int64_t* skipped) const {
  std::string target = "/events";
  std::string separator = "?";
  if (options.containers_only) {
    target += separator + "filters=" + percentEncoded(R"({"type":["container"]})");
    separator = "&";
  }
  if (options.since_unix_seconds) {
    target += separator + "since=" + std::to_string(*options.since_unix_seconds);
  }
  LineSplitter lines([&](std::string_view line) {
    Result<Json> json = parseJson(line);
    Result<EngineEvent> event = json ? parseEngineEvent(*json) : Result<EngineEvent>(json.status());
    if (!event) {
      if (skipped) ++*skipped;
      return;
    }
    on_event(*event);
  });
  Status status = http_.stream(
      target, timeout_,
      [&](const ResponseHead&) {
        if (on_connected) on_connected();
      },
      [&](std::string_view data) { lines.feed(data); }, cancel);
  if (status.code() == StatusCode::kCancelled) return status;
  return status.isOk() ? status : status.withContext("engine event stream");
}

bool isSocket(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode);
}

Result<std::string> socketPathOf(std::string_view configured) {
  std::string_view path = configured;
  if (path.substr(0, 7) == "unix://") path.remove_prefix(7);
  if (path.empty() || path.front() != '/') {
    return invalidArgument("expected unix:///path/to/socket or an absolute path, got '" +
                           std::string(configured) + "'");
  }
  return std::string(path);
}

Result<std::string> detectSocket(const std::map<std::string, std::string>& environment,
                                 const std::function<bool(const std::string&)>& exists) {
  if (auto host = environment.find("DOCKER_HOST");
      host != environment.end() && !host->second.empty()) {
    if (host->second.substr(0, 7) != "unix://") {
      return invalidArgument("DOCKER_HOST=" + host->second +
                             ": only unix:// sockets are supported; set the source's socket");
    }
    return socketPathOf(host->second);
  }
  std::vector<std::string> candidates = {"/var/run/docker.sock"};
  if (auto runtime = environment.find("XDG_RUNTIME_DIR");
      runtime != environment.end() && !runtime->second.empty()) {
    candidates.push_back(runtime->second + "/podman/podman.sock");
  }
  candidates.push_back("/run/podman/podman.sock");
  std::string tried;
  for (const std::string& candidate : candidates) {
    if (exists(candidate)) return candidate;
    tried += (tried.empty() ? "" : ", ") + candidate;
  }
  return notFound("no container engine socket found (DOCKER_HOST unset; tried " + tried + ")");
}

}  // namespace orion::docker
