#include <arpa/inet.h>
#include <httplib.h>
#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <thread>

#include "api/api.h"
#include "api/api_metrics.h"
#include "api/http_json.h"
#include "api/live_stream.h"
#include "api/route_group.h"
#include "common/logging.h"
#include "common/thread_name.h"

namespace orion::api {

namespace {

constexpr int kListenBacklog = 256;

// Workers for ordinary requests, besides one per live-stream client.
constexpr size_t kRequestWorkers = 4;

// When the request this worker thread serves was routed: set by the pre-routing handler, read by
// the logger after the last byte (both run on the worker that serves the request).
thread_local MonoTime request_started;

struct ListenAddress {
  std::string host;
  int port = 0;
};

// "host:port" or "[v6]:port".
Result<ListenAddress> parseListen(const std::string& listen) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == listen.size()) {
    return invalidArgument("api.listen: '" + listen + "' is not host:port (e.g. 127.0.0.1:9750)");
  }
  ListenAddress address;
  address.host = listen.substr(0, colon);
  if (address.host.size() > 2 && address.host.front() == '[' && address.host.back() == ']') {
    address.host = address.host.substr(1, address.host.size() - 2);
  }
  std::string_view port = std::string_view(listen).substr(colon + 1);
  auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), address.port);
  if (error != std::errc() || end != port.data() + port.size() || address.port < 0 ||
      address.port > 65535) {
    return invalidArgument("api.listen: port '" + std::string(port) +
                           "' is not a number from 0 to 65535");
  }
  return address;
}

// Without an admin token the API must not be reachable from another host.
bool isLoopback(const std::string& host) {
  if (host == "localhost") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6);
  return false;
}

class ApiServer final : public Service {
 public:
  ApiServer(config::Config config, ModuleContext context)
      : full_config_(std::move(config)),
        config_(full_config_.api),
        context_(std::move(context)),
        log_(makeLogger("api")),
        environment_{full_config_, context_, log_} {}
  ~ApiServer() override { stop(context_.clock.monotonic()); }

  std::string_view name() const override { return "api"; }

  Status start() override {
    auto address = parseListen(config_.listen);
    if (!address) return address.status();
    if (!isLoopback(address->host) && config_.admin_token_file.empty()) {
      return invalidArgument("api.listen: refusing to listen on non-loopback address '" +
                             address->host +
                             "' without an admin token: set api.admin_token_file (docs/api.md) "
                             "or listen on 127.0.0.1 or ::1");
    }
    // A live-stream client holds a worker for as long as it is connected (httplib's chunked
    // content providers), so the pool has one per allowed stream client on top of the workers
    // for ordinary requests. Idle workers cost a stack each and no CPU.
    server_.new_task_queue = [] {
      return new httplib::ThreadPool(kRequestWorkers + LiveStreamOptions{}.max_clients);
    };
    // One request per connection, and short timeouts: a worker waiting on an idle connection
    // (a Prometheus scraper keeps one open) is only released by these timeouts, and stop() waits
    // for the workers. With httplib's defaults (5 s) a scraper could make the whole shutdown
    // overrun its budget.
    server_.set_keep_alive_max_count(1);
    server_.set_keep_alive_timeout(1);
    server_.set_read_timeout(std::chrono::seconds(1));
    server_.set_write_timeout(std::chrono::seconds(1));
    // httplib's default is SO_REUSEPORT, which would let a second daemon share the port and
    // split the requests; SO_REUSEADDR alone still allows a quick restart.
    server_.set_socket_options([this](int sock) {
      int yes = 1;
      setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
      listen_socket_ = sock;
    });
    groups_.push_back(makeReadRoutes(environment_));
    std::unique_ptr<LiveStream> live_stream = makeLiveStream(environment_, LiveStreamOptions{});
    live_stream_ = live_stream.get();
    groups_.push_back(std::move(live_stream));
    groups_.push_back(makeAdminRoutes(environment_));
    groups_.push_back(makeDashboard(environment_));
    for (auto& group : groups_) {
      if (Status started = group->start(); !started.isOk()) {
        stopGroups();
        return started.withContext("api");
      }
    }
    routes();
    for (auto& group : groups_) group->addRoutes(server_);

    int port = address->port;
    if (port == 0) {
      port = server_.bind_to_any_port(address->host);
      if (port < 0) {
        stopGroups();
        return unavailable("api.listen: cannot bind " + config_.listen);
      }
    } else if (!server_.bind_to_port(address->host, port)) {
      stopGroups();
      return unavailable("api.listen: cannot bind " + config_.listen +
                         " (address in use or not available)");
    }
    // Debian's compiled cpp-httplib listens with a backlog of 5 (CPPHTTPLIB_LISTEN_BACKLOG), so
    // a burst of new connections (a dashboard and a scraper, or many clients at once) overflows
    // it and waits for a SYN retransmission (1 s). listen() again on the bound socket sets a
    // real backlog (Linux allows changing it on a listening socket).
    if (listen_socket_ >= 0 && ::listen(listen_socket_, kListenBacklog) != 0) {
      log_->warn("api: could not raise the listen backlog: {}", std::strerror(errno));
    }
    listener_done_.store(false);
    thread_ = std::thread([this] {
      nameThisThread("api-listen");
      if (!server_.listen_after_bind()) log_->error("the API server stopped unexpectedly");
      listener_done_.store(true);
    });
    // httplib's stop() does nothing until the listener thread has marked the server running, so
    // a stop() right after start() would otherwise leave that thread accepting forever.
    while (!server_.is_running() && !listener_done_.load()) std::this_thread::yield();
    log_->info("API listening on http://{}:{}", address->host, port);
    return Status::ok();
  }

  void stop(MonoTime /*deadline*/) override {
    // stop() closes the listening socket and joins the pool. Requests are short (health,
    // metrics) and idle connections time out within a second (see start()), so this returns
    // within about a second whatever the clients do; httplib offers no earlier way out.
    if (!thread_.joinable()) return;
    // Open streams first: their workers would otherwise keep the pool from joining.
    if (live_stream_ != nullptr) live_stream_->closeStreams();
    server_.stop();
    thread_.join();
    stopGroups();
  }

 private:
  void stopGroups() {
    for (auto it = groups_.rbegin(); it != groups_.rend(); ++it) (*it)->stop();
  }

  void routes() {
    // Requests by route and status, and their duration. The logger runs on the worker that
    // served the request, after its last byte, so a per-thread start time pairs them.
    server_.set_pre_routing_handler([this](const httplib::Request&, httplib::Response&) {
      request_started = context_.clock.monotonic();
      return httplib::Server::HandlerResponse::Unhandled;
    });
    server_.set_logger([this](const httplib::Request& request, const httplib::Response& response) {
      double seconds =
          std::chrono::duration<double>(context_.clock.monotonic() - request_started).count();
      metrics_.request(routeLabel(request.path), response.status, seconds);
    });
    // Every error is JSON (docs/api.md, "Errors"), including httplib's own (no route: 404).
    httplib::Server::HandlerWithResponse json_errors = [](const httplib::Request& request,
                                                          httplib::Response& response) {
      if (!response.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
      if (response.status == 404) {
        sendError(response, 404, "not_found",
                  "no such endpoint: " + request.method + " " + request.path + " (docs/api.md)");
      } else {
        bool server_side = response.status >= 500;
        sendError(response, response.status, server_side ? "internal" : "invalid_argument",
                  "HTTP " + std::to_string(response.status) + " for " + request.method + " " +
                      request.path);
      }
      return httplib::Server::HandlerResponse::Handled;
    };
    server_.set_error_handler(std::move(json_errors));
    server_.Get("/health", [this](const httplib::Request&, httplib::Response& response) {
      // A bus that cannot deliver (Redis unreachable) makes this ORION degraded: 503, so a load
      // balancer or a probe sees it, with the reason in the body.
      if (!context_.bus.healthy()) {
        response.status = 503;
        response.set_content(R"({"status":"degraded","bus":"unreachable"})", "application/json");
        return;
      }
      response.set_content(R"({"status":"ok"})", "application/json");
    });
    server_.Get("/metrics", [this](const httplib::Request&, httplib::Response& response) {
      response.set_content(context_.metrics.renderPrometheus(), "text/plain; version=0.0.4");
    });
  }

  config::Config full_config_;
  const config::ApiConfig& config_;
  ModuleContext context_;
  Logger log_;
  ApiEnvironment environment_;
  ApiMetrics metrics_{context_.metrics};
  std::vector<std::unique_ptr<RouteGroup>> groups_;
  LiveStream* live_stream_ = nullptr;  // one of groups_
  httplib::Server server_;
  std::atomic<bool> listener_done_{false};
  int listen_socket_ = -1;  // the server's listening socket (set_socket_options)
  std::thread thread_;
};

}  // namespace

std::unique_ptr<Service> makeApiServer(const config::Config& config, ModuleContext context) {
  return std::make_unique<ApiServer>(config, std::move(context));
}

}  // namespace orion::api
