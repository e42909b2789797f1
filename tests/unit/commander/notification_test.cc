// send_notification against a real cpp-httplib server the test starts on 127.0.0.1 (port 0):
// the webhook's JSON, ntfy's body and headers, a bearer token from a 0600 file, and how answers
// map to outcomes (2xx succeeded, 5xx/connection refused retryable, 4xx failed).
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/stat.h>

#include <mutex>
#include <thread>

#include "commander/executor.h"
#include "commander/runner.h"
#include "common/ids.h"
#include "testing/redis_server.h"  // freeLoopbackPort
#include "testing/temp_dir.h"
#include "testing/wait.h"

namespace orion::commander {
namespace {

using namespace std::chrono_literals;

struct Received {
  std::string path;
  std::string body;
  std::string content_type;
  httplib::Headers headers;
};

// Answers POST /<status>/... with that status and records every request.
class Receiver {
 public:
  Receiver() {
    server_.Post(R"(/(\d+)/.*)", [this](const httplib::Request& request, httplib::Response& reply) {
      std::lock_guard lock(mutex_);
      received_.push_back(Received{request.path, request.body,
                                   request.get_header_value("Content-Type"), request.headers});
      reply.status = std::stoi(request.matches[1]);
      reply.set_content("answer", "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // cpp-httplib 0.11 has no wait_until_ready().
    testing::waitUntil([this] { return server_.is_running(); });
  }
  ~Receiver() {
    server_.stop();
    thread_.join();
  }

  std::string url(int status, const std::string& rest = "topic") const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/" + std::to_string(status) + "/" + rest;
  }
  std::vector<Received> received() {
    std::lock_guard lock(mutex_);
    return received_;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  std::vector<Received> received_;
};

class NotificationTest : public ::testing::Test {
 protected:
  std::unique_ptr<ExecutorRegistry> registryWith(std::vector<NotificationChannel> channels) {
    auto registry = std::make_unique<ExecutorRegistry>();
    BuiltinOptions options;
    options.notification_channels = std::move(channels);
    EXPECT_TRUE(registerBuiltinExecutors(*registry, options, clock_).isOk());
    return registry;
  }

  static NotificationChannel channel(std::string name, NotificationChannel::Type type,
                                     std::string url) {
    NotificationChannel made;
    made.name = std::move(name);
    made.type = type;
    made.url = std::move(url);
    made.timeout = 2s;
    return made;
  }

  contracts::Outcome send(ExecutorRegistry& registry, Json parameters, bool dry_run = false,
                          int attempts = 1) {
    contracts::Action action;
    action.action_id = "act-1";
    action.decision_id = "dec-1";
    action.action_type = "send_notification";
    action.parameters = std::move(parameters);
    action.tags = {{"incident_id", "inc-1"}, {"node", "node-a"}};
    RunOptions options{10s, attempts, 1ms, dry_run};
    return runAction(action, *registry.find("send_notification"), options, clock_,
                     [] { return newUuid(); });
  }

  static std::string header(const Received& received, const std::string& name) {
    auto it = received.headers.find(name);
    return it == received.headers.end() ? "" : it->second;
  }

  RealClock clock_;
  Receiver receiver_;
  testing::TempDir dir_;
};

TEST_F(NotificationTest, WebhookPostsTheOutcomeJsonWithABearerToken) {
  auto token = dir_.write("token", "s3cret\n");
  ::chmod(token.c_str(), 0600);
  NotificationChannel hook =
      channel("default", NotificationChannel::Type::kWebhook, receiver_.url(200, "hook"));
  hook.token_file = token.string();
  auto registry = registryWith({hook});
  auto outcome =
      send(*registry,
           {{"notification_channel", "default"}, {"message", "web is down"}, {"severity", "high"}});
  ASSERT_EQ(outcome.status, contracts::OutcomeStatus::kSucceeded) << outcome.error->message;
  EXPECT_EQ(outcome.result->at("http_status"), 200);
  EXPECT_EQ(outcome.result->at("type"), "webhook");
  auto received = receiver_.received();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].path, "/200/hook");
  EXPECT_EQ(received[0].content_type, "application/json");
  EXPECT_EQ(header(received[0], "Authorization"), "Bearer s3cret");
  Json body = Json::parse(received[0].body);
  EXPECT_EQ(body["incident_id"], "inc-1");
  EXPECT_EQ(body["message"], "web is down");
  EXPECT_EQ(body["node"], "node-a");
  EXPECT_EQ(body["severity"], "high");
  EXPECT_EQ(body["action_id"], "act-1");
}

TEST_F(NotificationTest, NtfyPostsTheMessageWithTitlePriorityAndTags) {
  NotificationChannel ntfy =
      channel("phone", NotificationChannel::Type::kNtfy, receiver_.url(200, "orion-alerts"));
  ntfy.tags = {"orion"};
  auto registry = registryWith({ntfy});
  auto outcome = send(*registry, {{"notification_channel", "phone"},
                                  {"message", "disk full\non /var"},
                                  {"severity", "critical"}});
  ASSERT_EQ(outcome.status, contracts::OutcomeStatus::kSucceeded) << outcome.error->message;
  auto received = receiver_.received();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].body, "disk full\non /var");
  EXPECT_EQ(header(received[0], "Title"), "ORION: critical on node-a");
  EXPECT_EQ(header(received[0], "Priority"), "urgent");
  EXPECT_EQ(header(received[0], "Tags"), "orion,critical");
  EXPECT_EQ(header(received[0], "Authorization"), "");
  // "default" is the only channel when just one is configured.
  EXPECT_EQ(send(*registry, {{"message", "m"}}).status, contracts::OutcomeStatus::kSucceeded);
}

TEST_F(NotificationTest, ServerErrorsAreRetryableClientErrorsAreNot) {
  auto registry =
      registryWith({channel("down", NotificationChannel::Type::kWebhook, receiver_.url(500)),
                    channel("gone", NotificationChannel::Type::kNtfy, receiver_.url(404))});
  auto down = send(*registry, {{"notification_channel", "down"}, {"message", "m"}}, false, 2);
  EXPECT_EQ(down.status, contracts::OutcomeStatus::kFailed);
  EXPECT_EQ(down.error->code, "NOTIFY_UNAVAILABLE");
  EXPECT_EQ(down.result->at("attempts").size(), 2u);  // the commander retried it
  EXPECT_EQ(down.result->at("attempts")[0]["status"], "retryable");

  auto gone = send(*registry, {{"notification_channel", "gone"}, {"message", "m"}}, false, 2);
  EXPECT_EQ(gone.error->code, "NOTIFY_REJECTED");
  EXPECT_EQ(gone.result->at("attempts").size(), 1u);
  EXPECT_EQ(gone.result->at("http_status"), 404);
  EXPECT_EQ(receiver_.received().size(), 3u);
}

TEST_F(NotificationTest, ConnectionRefusedIsRetryable) {
  int port = testing::freeLoopbackPort();
  ASSERT_GT(port, 0);
  auto registry = registryWith({channel("default", NotificationChannel::Type::kWebhook,
                                        "http://127.0.0.1:" + std::to_string(port) + "/x")});
  auto outcome = send(*registry, {{"message", "m"}});
  EXPECT_EQ(outcome.error->code, "NOTIFY_UNAVAILABLE");
  EXPECT_EQ(outcome.result->at("attempts")[0]["status"], "retryable");
}

TEST_F(NotificationTest, UnconfiguredChannelsSaySoAndSendNothing) {
  auto none = registryWith({});
  auto outcome = send(*none, {{"notification_channel", "default"}, {"message", "m"}});
  EXPECT_EQ(outcome.error->code, "NOT_CONFIGURED");
  EXPECT_NE(outcome.error->message.find("no notification channel is configured"),
            std::string::npos);
  EXPECT_EQ(outcome.result->at("sent"), false);

  auto two = registryWith({channel("a", NotificationChannel::Type::kWebhook, receiver_.url(200)),
                           channel("b", NotificationChannel::Type::kNtfy, receiver_.url(200))});
  outcome = send(*two, {{"notification_channel", "ops"}, {"message", "m"}});
  EXPECT_EQ(outcome.error->code, "NOT_CONFIGURED");
  EXPECT_NE(outcome.error->message.find("'ops' is not configured (configured: a, b)"),
            std::string::npos)
      << outcome.error->message;
  // With two channels, "default" names none of them.
  EXPECT_EQ(send(*two, {{"message", "m"}}).error->code, "NOT_CONFIGURED");
  EXPECT_TRUE(receiver_.received().empty());
}

TEST_F(NotificationTest, AGroupReadableTokenIsRefusedAndNothingIsSent) {
  auto token = dir_.write("token", "s3cret");
  ::chmod(token.c_str(), 0640);
  NotificationChannel hook =
      channel("default", NotificationChannel::Type::kWebhook, receiver_.url(200));
  hook.token_file = token.string();
  auto registry = registryWith({hook});
  auto outcome = send(*registry, {{"message", "m"}});
  EXPECT_EQ(outcome.error->code, "NOT_CONFIGURED");
  EXPECT_NE(outcome.error->message.find("chmod 600"), std::string::npos);
  EXPECT_TRUE(receiver_.received().empty());
}

TEST_F(NotificationTest, DryRunSendsNothing) {
  auto registry =
      registryWith({channel("default", NotificationChannel::Type::kWebhook, receiver_.url(200))});
  auto outcome = send(*registry, {{"message", "would say this"}}, true);
  ASSERT_EQ(outcome.status, contracts::OutcomeStatus::kSucceeded);
  EXPECT_EQ(outcome.result->at("would_send")["method"], "POST");
  EXPECT_NE(outcome.result->at("would_send")["body"].get<std::string>().find("would say this"),
            std::string::npos);
  EXPECT_TRUE(receiver_.received().empty());
}

}  // namespace
}  // namespace orion::commander
