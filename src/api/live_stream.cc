#include "api/live_stream.h"

#include <algorithm>
#include <mutex>
#include <set>
#include <vector>

#include "api/api_metrics.h"
#include "api/http_json.h"
#include "api/query_params.h"
#include "api/stream_hub.h"
#include "bus/routing.h"
#include "memory/audit_record.h"

namespace orion::api {

namespace {

// Sent first: the client's reconnection delay, and a comment saying the stream is live.
constexpr std::string_view kPreamble = "retry: 3000\n: connected\n\n";
constexpr std::string_view kKeepAlive = ": keep-alive\n\n";

class LiveStreamGroup final : public LiveStream {
 public:
  LiveStreamGroup(const ApiEnvironment& environment, LiveStreamOptions options)
      : environment_(environment),
        options_(options),
        metrics_(environment.module.metrics),
        hub_(std::make_shared<StreamHub>(options.max_clients)) {}
  ~LiveStreamGroup() override { stop(); }

  // Subscribes on the first client, not at start: no stream client, no bus work.
  Status start() override { return Status::ok(); }

  void closeStreams() override { hub_->closeAll(); }

  void stop() override {
    hub_->closeAll();
    std::lock_guard lock(subscriptions_mutex_);
    for (auto& subscription : subscriptions_) subscription->stop();
    subscriptions_.clear();
  }

  void addRoutes(httplib::Server& server) override {
    server.Get("/api/v1/stream",
               [this](const httplib::Request& request, httplib::Response& response) {
                 stream(request, response);
               });
  }

 private:
  void stream(const httplib::Request& request, httplib::Response& response) {
    if (auto error = onlyParams(request, {"types"})) return sendParamError(response, *error);
    std::vector<std::string> asked;
    if (auto error = listParam(request, "types", asked)) return sendParamError(response, *error);
    std::set<std::string, std::less<>> types;
    for (const std::string& type : asked) {
      if (std::find(kStreamTypes.begin(), kStreamTypes.end(), type) == kStreamTypes.end()) {
        std::string known;
        for (std::string_view t : kStreamTypes)
          known += (known.empty() ? "" : ",") + std::string(t);
        return sendParamError(response,
                              {"types", "unknown type '" + type + "' (known: " + known + ")"});
      }
      types.insert(type);
    }
    if (types.empty()) {
      for (std::string_view type : kStreamTypes) types.emplace(type);
    }
    if (Status subscribed = subscribe(); !subscribed.isOk()) {
      return sendStatus(response, unavailable(subscribed.message()));
    }
    std::shared_ptr<StreamClient> client = hub_->join(std::move(types), options_.queue_limit);
    if (!client) {
      return sendError(response, 503, "unavailable",
                       "too many live-stream clients (at most " +
                           std::to_string(options_.max_clients) +
                           ") or the server is stopping; retry later");
    }
    metrics_.stream_clients.set(static_cast<double>(hub_->clients()));
    response.set_header("Cache-Control", "no-cache");
    response.set_header("X-Accel-Buffering", "no");  // a reverse proxy must not buffer it
    // The provider and releaser outlive neither the hub (shared) nor this group: the server
    // joins its workers before the group is destroyed.
    auto preamble_sent = std::make_shared<bool>(false);
    response.set_chunked_content_provider(
        "text/event-stream",
        [this, client, preamble_sent](size_t, httplib::DataSink& sink) {
          if (!*preamble_sent) {
            *preamble_sent = true;
            return sink.write(kPreamble.data(), kPreamble.size());
          }
          StreamClient::Batch batch = client->next(options_.keep_alive);
          if (batch.closed) {
            sink.done();
            return true;
          }
          if (batch.overflowed) {
            std::string frame = sseFrame(
                "overflow", "",
                Json{{"reason", "this client fell behind the live documents by more than " +
                                    std::to_string(options_.queue_limit) + "; reconnect"}});
            sink.write(frame.data(), frame.size());
            sink.done();
            return true;
          }
          if (batch.frames.empty()) return sink.write(kKeepAlive.data(), kKeepAlive.size());
          if (!sink.write(batch.frames.data(), batch.frames.size())) return false;
          metrics_.stream_sent.inc(batch.count);
          return true;
        },
        [this, client](bool) {
          hub_->leave(client);
          metrics_.stream_clients.set(static_cast<double>(hub_->clients()));
        });
  }

  // One subscription per stream type, made once (by the first client's request thread).
  Status subscribe() {
    std::lock_guard lock(subscriptions_mutex_);
    if (!subscriptions_.empty()) return Status::ok();
    std::string group = bus::nodeGroup("api", environment_.module.node);
    std::vector<std::unique_ptr<bus::Subscription>> made;
    for (std::string_view type : kStreamTypes) {
      bus::SubscribeOptions options{std::string(type), group, "api-1"};
      auto subscription =
          environment_.module.bus.subscribe(options, [this, type](const bus::Delivery& delivery) {
            size_t overflowed =
                hub_->offer(type, memory::documentId(type, *delivery.document), *delivery.document);
            metrics_.stream_overflows.inc(overflowed);
            return Status::ok();
          });
      if (!subscription) {
        for (auto& done : made) done->stop();
        return subscription.status().withContext("live stream: subscribing to " +
                                                 std::string(type));
      }
      made.push_back(std::move(subscription).value());
    }
    subscriptions_ = std::move(made);
    return Status::ok();
  }

  const ApiEnvironment& environment_;
  const LiveStreamOptions options_;
  ApiMetrics metrics_;
  std::shared_ptr<StreamHub> hub_;
  std::mutex subscriptions_mutex_;
  std::vector<std::unique_ptr<bus::Subscription>> subscriptions_;
};

}  // namespace

std::unique_ptr<LiveStream> makeLiveStream(const ApiEnvironment& environment,
                                           LiveStreamOptions options) {
  return std::make_unique<LiveStreamGroup>(environment, options);
}

std::unique_ptr<RouteGroup> makeLiveStream(const ApiEnvironment& environment) {
  return makeLiveStream(environment, LiveStreamOptions{});
}

}  // namespace orion::api
