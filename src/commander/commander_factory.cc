// makeCommander(): the commander's options from the configuration (commander, approval and
// brain.policy_dir), the engine socket found, and the notification channels.
#include <filesystem>
#include <variant>

#include "commander/commander.h"
#include "docker/docker_client.h"

namespace orion::commander {
namespace {

// commander.notifications as the executors see them; a relative token_file is under state_dir.
std::vector<NotificationChannel> notificationChannels(const config::Config& config) {
  std::vector<NotificationChannel> channels;
  for (const config::NotificationChannelConfig& instance : config.commander.notifications) {
    NotificationChannel channel;
    channel.name = instance.name;
    std::visit(
        [&](const auto& settings) {
          channel.url = settings.url;
          channel.token_file = settings.token_file;
          channel.timeout = settings.timeout;
        },
        instance.settings);
    if (const auto* ntfy = std::get_if<config::NtfyChannelConfig>(&instance.settings)) {
      channel.type = NotificationChannel::Type::kNtfy;
      channel.tags = ntfy->tags;
      channel.priority = ntfy->priority;
    }
    std::filesystem::path token = channel.token_file;
    if (!channel.token_file.empty() && token.is_relative() && !config.state_dir.empty()) {
      channel.token_file = (std::filesystem::path(config.state_dir) / token).string();
    }
    channels.push_back(std::move(channel));
  }
  return channels;
}

}  // namespace

std::unique_ptr<Service> makeCommander(const config::Config& config, ModuleContext context) {
  CommanderOptions options;
  options.dry_run = config.commander.dry_run;
  options.policy_dir = config.brain.policy_dir;
  options.admin_key_file = config.approval.admin_key_file;
  options.max_approval_wait = config.approval.max_timeout;
  options.action_timeout = config.commander.action_timeout;
  options.max_attempts = static_cast<int>(config.commander.max_attempts);
  options.execution_workers = static_cast<size_t>(config.commander.execution_workers);
  // The engine socket: configured (a path or unix://…), else the usual places (DOCKER_HOST,
  // docker.sock, podman.sock). None found: container actions fail with ENGINE_UNAVAILABLE.
  auto socket = config.commander.docker_socket.empty()
                    ? docker::detectSocket(config::processEnvironment(), docker::isSocket)
                    : docker::socketPathOf(config.commander.docker_socket);
  if (socket) options.builtin.docker_socket = *socket;
  options.builtin.verify_timeout = config.commander.verify_timeout;
  options.builtin.systemctl = config.commander.systemctl;
  options.builtin.notification_channels = notificationChannels(config);
  return makeCommanderService(std::move(options), std::move(context));
}

}  // namespace orion::commander
