// send_notification: one POST to a configured channel (commander.notifications), with
// cpp-httplib's client. webhook: a JSON document; ntfy: the message as the body with the Title,
// Priority and Tags headers (https://docs.ntfy.sh/publish/). A connection error, a timeout, a
// 5xx, 408 or 429 is retryable (the commander retries); any other non-2xx answer is failed.
#include <fmt/format.h>
#include <httplib.h>

#include "commander/executors/builtin_parts.h"
#include "common/time.h"
#include "common/url.h"
#include "signing/secret_file.h"

namespace orion::commander {
namespace {

using Type = NotificationChannel::Type;

// ntfy's priority from ORION's severity: critical → urgent (5) … low → low (2).
std::string priorityOf(const NotificationChannel& channel, const std::string& wanted,
                       const std::string& severity) {
  if (!wanted.empty()) return wanted;
  if (!channel.priority.empty()) return channel.priority;
  if (severity == "critical") return "urgent";
  if (severity == "high") return "high";
  if (severity == "low") return "low";
  return "default";
}

// Header values cannot hold CR/LF (a header injection); they are replaced by spaces.
std::string headerSafe(std::string text) {
  for (char& c : text) {
    if (c == '\r' || c == '\n' || c == '\0') c = ' ';
  }
  return text;
}

struct Request {
  std::string content_type;
  std::string body;
  httplib::Headers headers;
};

class SendNotification final : public Executor {
 public:
  explicit SendNotification(const BuiltinOptions& options)
      : channels_(options.notification_channels) {}

  const ExecutorMetadata& metadata() const override { return metadata_; }

  Execution execute(const contracts::Action& action, const ExecutionContext& context) override {
    std::string name = stringParameter(action, "notification_channel");
    if (name.empty()) name = "default";
    std::string message = stringParameter(action, "message");
    if (message.empty()) {
      return Execution::failed("BAD_PARAMETERS", "send_notification needs a message");
    }
    const NotificationChannel* channel = find(name);
    if (channel == nullptr) return notConfigured(name, message);
    Request request = build(*channel, action, message, context);
    Json result{{"channel", channel->name},
                {"type", channel->type == Type::kWebhook ? "webhook" : "ntfy"},
                {"url", channel->url}};
    if (context.dry_run) {
      result["would_send"] = Json{{"method", "POST"},
                                  {"url", channel->url},
                                  {"content_type", request.content_type},
                                  {"body", request.body},
                                  {"authorization", !channel->token_file.empty()}};
      return Execution::succeeded(std::move(result));
    }
    if (!channel->token_file.empty()) {
      auto token = signing::readSecretFile(channel->token_file, "the notification token");
      if (!token) {
        Execution failed = Execution::failed(
            "NOT_CONFIGURED", fmt::format("channel '{}': {}; nothing was sent", channel->name,
                                          token.status().message()));
        failed.result = std::move(result);
        return failed;
      }
      request.headers.emplace("Authorization", "Bearer " + headerSafe(*token));
    }
    Execution sent = post(*channel, request, context);
    for (auto& [key, value] : result.items()) sent.result[key] = value;
    return sent;
  }

 private:
  // "default" names the channel called default, else the only one configured.
  const NotificationChannel* find(const std::string& name) const {
    for (const NotificationChannel& channel : channels_) {
      if (channel.name == name) return &channel;
    }
    if (name == "default" && channels_.size() == 1) return &channels_.front();
    return nullptr;
  }

  Execution notConfigured(const std::string& name, const std::string& message) const {
    std::string known;
    for (const NotificationChannel& channel : channels_) {
      known += (known.empty() ? "" : ", ") + channel.name;
    }
    Execution failed = Execution::failed(
        "NOT_CONFIGURED",
        channels_.empty()
            ? "no notification channel is configured (commander.notifications): the message was "
              "not sent"
            : fmt::format("notification channel '{}' is not configured (configured: {}): the "
                          "message was not sent",
                          name, known));
    failed.result = Json{{"channel", name}, {"sent", false}, {"message", message}};
    return failed;
  }

  static Request build(const NotificationChannel& channel, const contracts::Action& action,
                       const std::string& message, const ExecutionContext& context) {
    auto tag = [&](const char* key) {
      auto it = action.tags.find(key);
      return it == action.tags.end() ? std::string() : it->second;
    };
    std::string incident_id = stringParameter(action, "incident_id");
    if (incident_id.empty()) incident_id = tag("incident_id");
    std::string node = stringParameter(action, "node");
    if (node.empty()) node = tag("node");
    std::string severity = stringParameter(action, "severity");
    Request request;
    request.headers = {{"User-Agent", "orion-commander"}};
    if (channel.type == Type::kWebhook) {
      request.content_type = "application/json";
      request.body = dumpJson(Json{{"source", "orion"},
                                   {"incident_id", incident_id},
                                   {"message", message},
                                   {"node", node},
                                   {"severity", severity},
                                   {"action_id", action.action_id},
                                   {"decision_id", action.decision_id},
                                   {"timestamp", formatRfc3339(context.clock.now())}});
      return request;
    }
    request.content_type = "text/plain; charset=utf-8";
    request.body = message;
    std::string title = stringParameter(action, "title");
    if (title.empty()) {
      title =
          "ORION" + (severity.empty() ? "" : ": " + severity) + (node.empty() ? "" : " on " + node);
    }
    std::vector<std::string> tags = channel.tags;
    if (!severity.empty()) tags.push_back(severity);
    std::string joined;
    for (const std::string& one : tags) joined += (joined.empty() ? "" : ",") + one;
    request.headers.emplace("Title", headerSafe(title));
    request.headers.emplace(
        "Priority", headerSafe(priorityOf(channel, stringParameter(action, "priority"), severity)));
    if (!joined.empty()) request.headers.emplace("Tags", headerSafe(joined));
    return request;
  }

  static Execution post(const NotificationChannel& channel, const Request& request,
                        const ExecutionContext& context) {
    std::string origin;
    std::string target;
    if (!splitUrl(channel.url, origin, target)) {
      return Execution::failed("NOT_CONFIGURED", "cannot split URL '" + channel.url + "'");
    }
    Duration left = stepDeadline(context, channel.timeout) - context.clock.monotonic();
    if (left <= Duration::zero()) {
      return Execution::failed("TIMEOUT", "no time left before the action's deadline",
                               ExecutionStatus::kRetryable);
    }
    auto micros = std::chrono::duration_cast<std::chrono::microseconds>(left).count();
    time_t seconds = static_cast<time_t>(micros / 1'000'000);
    time_t rest = static_cast<time_t>(micros % 1'000'000);
    try {
      httplib::Client client(origin);
      if (!client.is_valid()) {
        return Execution::failed("NOT_CONFIGURED", "unsupported URL '" + channel.url + "'");
      }
      client.set_connection_timeout(seconds, rest);
      client.set_read_timeout(seconds, rest);
      client.set_write_timeout(seconds, rest);
      client.set_keep_alive(false);
      client.set_follow_location(false);
      httplib::Result answer =
          client.Post(target, request.headers, request.body, request.content_type);
      if (!answer) {
        return Execution::failed("NOTIFY_UNAVAILABLE",
                                 fmt::format("channel '{}': {} ({})", channel.name,
                                             httplib::to_string(answer.error()), channel.url),
                                 ExecutionStatus::kRetryable);
      }
      int status = answer->status;
      Json result{{"http_status", status}, {"sent", status >= 200 && status < 300}};
      if (status >= 200 && status < 300) return Execution::succeeded(std::move(result));
      bool transient = status >= 500 || status == 408 || status == 429;
      Execution failed =
          Execution::failed(transient ? "NOTIFY_UNAVAILABLE" : "NOTIFY_REJECTED",
                            fmt::format("channel '{}' answered HTTP {}: {}", channel.name, status,
                                        answer->body.substr(0, 200)),
                            transient ? ExecutionStatus::kRetryable : ExecutionStatus::kFailed);
      failed.result = std::move(result);
      return failed;
    } catch (const std::exception& e) {
      return Execution::failed("NOTIFY_UNAVAILABLE", std::string("HTTP client: ") + e.what(),
                               ExecutionStatus::kRetryable);
    }
  }

  std::vector<NotificationChannel> channels_;
  ExecutorMetadata metadata_{"send_notification",
                             policy::DeclaredRisk::kReadOnly,
                             false,
                             true,
                             false,
                             "POST a message to a configured webhook or ntfy channel"};
};

}  // namespace

std::unique_ptr<Executor> makeSendNotification(const BuiltinOptions& options) {
  return std::make_unique<SendNotification>(options);
}

}  // namespace orion::commander
