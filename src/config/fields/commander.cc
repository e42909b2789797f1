#include "config/field_builders.h"
#include "config/fields/fields.h"
#include "config/instance_list.h"

namespace orion::config {

using namespace std::chrono_literals;
namespace b = builders;

namespace {

// A bare command name (found in PATH) or an absolute path; never a relative path.
Status checkCommand(std::string_view text) {
  bool bare = !text.empty() && text.find('/') == std::string_view::npos;
  if (bare || (!text.empty() && text.front() == '/')) return Status::ok();
  return invalidArgument(
      "expected a command name (systemctl) or an absolute path "
      "(/usr/bin/systemctl), got '" +
      std::string(text) + "'");
}

// ntfy priorities: 1–5 or their names.
Status checkPriority(std::string_view text) {
  for (std::string_view name :
       {"", "1", "2", "3", "4", "5", "min", "low", "default", "high", "max", "urgent"}) {
    if (text == name) return Status::ok();
  }
  return invalidArgument(
      "expected an ntfy priority (1-5, min, low, default, high, max or "
      "urgent), got '" +
      std::string(text) + "'");
}

Status checkTag(std::string_view text) {
  if (!text.empty() && text.find_first_of(",\r\n") == std::string_view::npos) return Status::ok();
  return invalidArgument("expected a tag without commas or newlines");
}

template <typename T>
std::vector<BasicField<T>> commonChannelFields() {
  std::vector<BasicField<T>> f;
  f.push_back(b::text<T>(
      "url", "an http:// or https:// URL", [](auto& c) -> auto& { return c.url; }, checkHttpUrl));
  f.push_back(b::text<T>(
      "token_file", "a file path", [](auto& c) -> auto& { return c.token_file; }, nullptr));
  f.push_back(b::duration<T>(
      "timeout", 100ms, 5min, [](auto& c) -> auto& { return c.timeout; }));
  return f;
}

template <typename T>
Status checkChannel(const T& channel) {
  if (channel.url.empty()) return invalidArgument("url: required (an http:// or https:// URL)");
  return Status::ok();
}

InstanceType<NotificationSettings> webhookType() {
  using T = WebhookChannelConfig;
  return instanceType<NotificationSettings>("webhook", T{}, commonChannelFields<T>(),
                                            checkChannel<T>);
}

InstanceType<NotificationSettings> ntfyType() {
  using T = NtfyChannelConfig;
  std::vector<BasicField<T>> f = commonChannelFields<T>();
  f.push_back(b::list<T>(
      "tags", "a list of tags", [](auto& c) -> auto& { return c.tags; }, checkTag));
  f.push_back(b::text<T>(
      "priority", "an ntfy priority", [](auto& c) -> auto& { return c.priority; }, checkPriority));
  return instanceType<NotificationSettings>("ntfy", T{}, std::move(f), checkChannel<T>);
}

}  // namespace

std::vector<InstanceType<NotificationSettings>> notificationChannelTypes() {
  return {webhookType(), ntfyType()};
}

void addCommanderFields(std::vector<Field>& f) {
  f.push_back(b::boolean(
      "commander.dry_run", [](auto& c) -> auto& { return c.commander.dry_run; }));
  f.push_back(b::text(
      "commander.docker_socket", "a unix socket path (unix:///run/podman/podman.sock), or empty",
      [](auto& c) -> auto& { return c.commander.docker_socket; }, nullptr));
  f.push_back(b::duration(
      "commander.action_timeout", 1s, 3600s,
      [](auto& c) -> auto& { return c.commander.action_timeout; }));
  f.push_back(b::duration(
      "commander.verify_timeout", 100ms, 600s,
      [](auto& c) -> auto& { return c.commander.verify_timeout; }));
  f.push_back(b::integer(
      "commander.max_attempts", 1, 10, [](auto& c) -> auto& { return c.commander.max_attempts; }));
  f.push_back(b::integer(
      "commander.execution_workers", 1, 64,
      [](auto& c) -> auto& { return c.commander.execution_workers; }));
  f.push_back(b::text(
      "commander.systemctl", "a command name or an absolute path",
      [](auto& c) -> auto& { return c.commander.systemctl; }, checkCommand));
  f.push_back(b::instanceList<NotificationSettings>(
      "commander.notifications", notificationChannelTypes(),
      [](auto& c) -> auto& { return c.commander.notifications; }));
}

}  // namespace orion::config
