// The engine's JSON → typed values. Docker and podman differ in small ways (podman's inspect
// has no Health when no check is defined; Docker's event has both `status` and `Action`), so
// every field is optional except the ones that identify a thing.
#include <cstdint>

#include "docker/docker_client.h"

namespace orion::docker {
namespace {

std::string stringField(const Json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

int64_t integerField(const Json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

std::map<std::string, std::string> stringMap(const Json& object, const char* key) {
  std::map<std::string, std::string> out;
  auto it = object.find(key);
  if (it == object.end() || !it->is_object()) return out;
  for (const auto& [name, value] : it->items()) {
    if (value.is_string()) out[name] = value.get<std::string>();
  }
  return out;
}

std::string withoutSlash(std::string name) {
  if (!name.empty() && name.front() == '/') name.erase(0, 1);
  return name;
}

}  // namespace

Result<std::vector<ContainerSummary>> parseContainerList(const Json& list) {
  if (!list.is_array()) return invalidArgument("container list: expected a JSON array");
  std::vector<ContainerSummary> containers;
  for (const Json& item : list) {
    if (!item.is_object()) return invalidArgument("container list: expected objects");
    ContainerSummary summary;
    summary.id = stringField(item, "Id");
    if (summary.id.empty()) return invalidArgument("container list: an entry has no Id");
    auto names = item.find("Names");
    if (names != item.end() && names->is_array() && !names->empty() && names->front().is_string()) {
      summary.name = withoutSlash(names->front().get<std::string>());
    }
    summary.image = stringField(item, "Image");
    summary.state = stringField(item, "State");
    summary.labels = stringMap(item, "Labels");
    containers.push_back(std::move(summary));
  }
  return containers;
}

Result<ContainerDetails> parseContainerDetails(const Json& inspect) {
  if (!inspect.is_object()) return invalidArgument("container inspect: expected a JSON object");
  ContainerDetails details;
  details.summary.id = stringField(inspect, "Id");
  if (details.summary.id.empty()) return invalidArgument("container inspect: no Id");
  details.summary.name = withoutSlash(stringField(inspect, "Name"));
  details.restart_count = integerField(inspect, "RestartCount");
  if (auto config = inspect.find("Config"); config != inspect.end() && config->is_object()) {
    details.summary.image = stringField(*config, "Image");
    details.summary.labels = stringMap(*config, "Labels");
  }
  if (details.summary.image.empty()) details.summary.image = stringField(inspect, "ImageName");
  auto state = inspect.find("State");
  if (state == inspect.end() || !state->is_object()) {
    return invalidArgument("container inspect: no State object");
  }
  details.summary.state = stringField(*state, "Status");
  auto running = state->find("Running");
  details.running = running != state->end() && running->is_boolean() && running->get<bool>();
  details.exit_code = static_cast<int>(integerField(*state, "ExitCode"));
  details.pid = static_cast<int>(integerField(*state, "Pid"));
  auto oom = state->find("OOMKilled");
  details.oom_killed = oom != state->end() && oom->is_boolean() && oom->get<bool>();
  details.started_at = stringField(*state, "StartedAt");
  details.finished_at = stringField(*state, "FinishedAt");
  details.error = stringField(*state, "Error");
  // Docker: State.Health; podman 4 also writes State.Healthcheck (older name).
  for (const char* key : {"Health", "Healthcheck"}) {
    auto health = state->find(key);
    if (health == state->end() || !health->is_object()) continue;
    details.health = stringField(*health, "Status");
    details.failing_streak = static_cast<int>(integerField(*health, "FailingStreak"));
    break;
  }
  return details;
}

Result<EngineEvent> parseEngineEvent(const Json& event) {
  if (!event.is_object()) return invalidArgument("engine event: expected a JSON object");
  EngineEvent out;
  out.type = stringField(event, "Type");
  out.action = stringField(event, "Action");
  if (out.action.empty()) out.action = stringField(event, "status");
  if (out.action.empty()) return invalidArgument("engine event: no Action");
  out.time_nano = integerField(event, "timeNano");
  if (out.time_nano == 0) {
    // Seconds; a time too far out to be held in nanoseconds is treated as absent.
    constexpr int64_t kNanos = 1'000'000'000;
    int64_t seconds = integerField(event, "time");
    bool fits = seconds <= INT64_MAX / kNanos && seconds >= INT64_MIN / kNanos;
    out.time_nano = fits ? seconds * kNanos : 0;
  }
  auto actor = event.find("Actor");
  if (actor != event.end() && actor->is_object()) {
    out.id = stringField(*actor, "ID");
    out.attributes = stringMap(*actor, "Attributes");
  }
  if (out.id.empty()) out.id = stringField(event, "id");
  auto attribute = [&](const char* key) {
    auto it = out.attributes.find(key);
    return it == out.attributes.end() ? std::string() : it->second;
  };
  out.name = attribute("name");
  out.image = attribute("image");
  if (out.image.empty()) out.image = stringField(event, "from");
  // Docker sends exitCode on die; podman sends exitCode on die and containerExitCode on all.
  std::string exit_text = attribute("exitCode");
  if (!exit_text.empty() && (out.action == "die" || out.action == "oom" || out.action == "kill")) {
    try {
      out.exit_code = std::stoi(exit_text);
    } catch (const std::exception&) {
      return invalidArgument("engine event: exitCode '" + exit_text + "' is not a number");
    }
  }
  return out;
}

}  // namespace orion::docker
