#include "bus/redis_control.h"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <array>

#include "bus/deadletter.h"
#include "bus/redis_reply.h"
#include "common/ids.h"
#include "common/thread_name.h"
#include "common/time.h"

namespace orion::bus {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kRequestsMaxLength = "1000";
constexpr std::string_view kResponseLifetimeMs = "60000";
constexpr std::array<std::string_view, 5> kServedOps = {
    "approvals.list", "approvals.show", "approvals.answer", "autonomy.show", "ops.list"};

int64_t millisecondsOf(Duration duration) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(duration).count();
}

// XADD with approximate trimming of a one-field (`data`) entry; the reply's error as a Status.
Status xadd(RedisConnection& connection, const std::string& key, std::string_view max_length,
            const std::string& data) {
  auto reply = connection.command({"XADD", key, "MAXLEN", "~", max_length, "*", "data", data});
  if (!reply) return reply.status();
  return replyError(**reply);
}

std::string describeSender(const Json& sender) {
  std::string text = sender.value("user", "?") + "@" + sender.value("host", "?");
  if (sender.contains("pid")) text += " pid " + std::to_string(sender.value("pid", 0));
  return text;
}

}  // namespace

std::string controlRequestsKey(std::string_view prefix) {
  return contracts::streamKey(prefix, contracts::type::kControlRequest);
}

std::string controlResponseKey(std::string_view prefix, std::string_view request_id) {
  return contracts::streamKey(prefix, contracts::type::kControlResponse) + ":" +
         std::string(request_id);
}

bool servedThroughRedis(std::string_view op) {
  return std::find(kServedOps.begin(), kServedOps.end(), op) != kServedOps.end();
}

bool servesThroughRedis(const std::vector<std::string>& ops) {
  return std::any_of(ops.begin(), ops.end(), [](const std::string& op) {
    return op != "ops.list" && servedThroughRedis(op);
  });
}

ControlSender thisSender() {
  ControlSender sender;
  uid_t uid = getuid();
  std::array<char, 4096> buffer{};
  passwd entry{};
  passwd* found = nullptr;
  if (getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found) == 0 && found != nullptr &&
      found->pw_name != nullptr && found->pw_name[0] != '\0') {
    sender.user = found->pw_name;
  } else {
    sender.user = "uid-" + std::to_string(uid);
  }
  std::array<char, 256> host{};
  if (gethostname(host.data(), host.size() - 1) == 0 && host[0] != '\0') {
    sender.host = host.data();
  } else {
    sender.host = "unknown-host";
  }
  sender.pid = getpid();
  return sender;
}

std::string redisCallerIdentity(const ControlSender& sender) {
  return "redis:" + sender.user + "@" + sender.host;
}

// ---- the client -------------------------------------------------------------------------------

Result<Json> callThroughRedis(const RedisControlCall& call,
                              const contracts::ContractRegistry& contracts, const Clock& clock) {
  const std::string where = call.endpoint.describe();
  WallTime now = clock.now();
  std::string request_id = newUuid();
  Json sender{{"user", call.sender.user}, {"host", call.sender.host}};
  if (call.sender.pid > 0) sender["pid"] = call.sender.pid;
  Json request{{"version", "1.0"},
               {"request_id", request_id},
               {"timestamp", formatRfc3339(now)},
               {"source", "orion-cli"},
               {"op", call.op},
               {"args", call.args},
               {"expires_at", formatRfc3339(now + call.timeout)},
               {"sender", sender}};
  if (Status valid = contracts.validate(contracts::type::kControlRequest, request); !valid) {
    return valid.withContext("control request '" + call.op + "'");
  }

  RedisEndpoint endpoint = call.endpoint;
  auto connection = RedisConnection::open(endpoint);
  if (!connection) return connection.status().withContext("reaching ORION through Redis " + where);
  const std::string requests = controlRequestsKey(call.prefix);
  if (Status sent = xadd(**connection, requests, kRequestsMaxLength, request.dump()); !sent) {
    return sent.withContext("sending '" + call.op + "' on " + requests + " (" + where + ")");
  }

  const std::string responses = controlResponseKey(call.prefix, request_id);
  if (Status set = (*connection)->setReadTimeout(endpoint.read_timeout + call.timeout); !set) {
    return set;
  }
  std::string block = std::to_string(std::max<int64_t>(1, millisecondsOf(call.timeout)));
  auto reply =
      (*connection)->command({"XREAD", "COUNT", "1", "BLOCK", block, "STREAMS", responses, "0"});
  if (!reply) return reply.status().withContext("waiting for the answer on " + responses);
  if (Status error = replyError(**reply); !error) {
    return error.withContext("waiting for the answer on " + responses);
  }
  auto entries = parseReadReply(reply->get());
  if (!entries) return entries.status();
  if (entries->empty() || !entries->front().data) {
    return Status(StatusCode::kDeadlineExceeded,
                  "no ORION process answered '" + call.op + "' through Redis " + where +
                      " within " + formatDuration(call.timeout) +
                      " (is the process with that module running " +
                      "on this bus, with the same bus.stream_prefix?)");
  }
  auto response = parseJson(*entries->front().data);
  if (!response) return internalError("the answer on " + responses + " is not JSON");
  if (Status valid = contracts.validate(contracts::type::kControlResponse, *response); !valid) {
    return internalError("the answer on " + responses +
                         " is not a valid control_response: " + valid.message());
  }
  if (response->value("request_id", "") != request_id) {
    return internalError("the answer on " + responses + " is for another request");
  }
  return control::resultOf(*response);
}

// ---- the server -------------------------------------------------------------------------------

struct RedisControlServer::Metrics {
  explicit Metrics(MetricsRegistry& registry)
      : served(counter(registry, "served")),
        refused(counter(registry, "refused")),
        expired(counter(registry, "expired")),
        invalid(counter(registry, "invalid")),
        elsewhere(counter(registry, "elsewhere")) {}
  static Counter& counter(MetricsRegistry& registry, std::string outcome) {
    return registry.counter("orion_control_redis_requests_total",
                            "Control requests read from Redis, by what became of them",
                            {{"outcome", std::move(outcome)}});
  }
  Counter& served;
  Counter& refused;
  Counter& expired;
  Counter& invalid;
  Counter& elsewhere;
};

RedisControlServer::RedisControlServer(RedisControlServerOptions options,
                                       const control::Router& router,
                                       const contracts::ContractRegistry& contracts, Bus& bus,
                                       const Clock& clock, MetricsRegistry& metrics, Logger logger)
    : options_(std::move(options)),
      router_(router),
      contracts_(contracts),
      bus_(bus),
      clock_(clock),
      logger_(std::move(logger)),
      metrics_(std::make_unique<Metrics>(metrics)),
      requests_key_(controlRequestsKey(options_.prefix)) {}

RedisControlServer::~RedisControlServer() { stop(); }

void RedisControlServer::start() {
  if (thread_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stopping_ = false;
  }
  thread_ = std::thread([this] {
    nameThisThread("control-redis");
    run();
  });
}

void RedisControlServer::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool RedisControlServer::waitBackoff(Duration delay) {
  std::unique_lock lock(mutex_);
  return !wake_.wait_for(lock, delay, [this] { return stopping_; });
}

void RedisControlServer::run() {
  Backoff backoff(options_.reconnect.initial, options_.reconnect.max, 0.2,
                  std::hash<std::string>{}(options_.node));
  bool reported_down = false;
  while (true) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) break;
    }
    if (!connection_) {
      auto opened = RedisConnection::open(options_.endpoint);
      if (opened) {
        connection_ = std::move(opened).value();
        Status timeout =
            connection_->setReadTimeout(options_.endpoint.read_timeout + options_.block);
        if (!timeout) logger_->warn("control through Redis: {}", timeout.toString());
      } else {
        if (!reported_down) {
          logger_->warn("control through Redis: cannot reach {} ({}); retrying",
                        options_.endpoint.describe(), opened.status().message());
          reported_down = true;
        }
        following_ = false;
        if (!waitBackoff(backoff.next())) break;
        continue;
      }
    }
    Status batch = serveBatch(*connection_);
    if (batch.isOk()) {
      if (reported_down) logger_->info("control through Redis: following {}", requests_key_);
      reported_down = false;
      backoff.reset();
      continue;
    }
    // A transport failure, or a refusal (ACL): log once, back off, reconnect.
    if (!reported_down) {
      logger_->warn("control through Redis: {} ({}); retrying", batch.message(), requests_key_);
      reported_down = true;
    }
    connection_.reset();
    following_ = false;
    if (!waitBackoff(backoff.next())) break;
  }
  connection_.reset();
  following_ = false;
}

Status RedisControlServer::serveBatch(RedisConnection& connection) {
  if (last_id_.empty()) {
    // Follow from the stream's end: requests written before this process started were meant
    // for whoever was there then (and have short deadlines anyway).
    auto info = connection.command({"XINFO", "STREAM", requests_key_});
    if (!info) return info.status();
    if (Status error = replyError(**info); !error) {
      if (error.message().find("no such key") == std::string::npos) return error;
      last_id_ = "0-0";
    } else {
      auto last = parseLastGeneratedId(info->get());
      if (!last) return last.status();
      last_id_ = *last;
    }
    following_ = true;
  }
  std::string block = std::to_string(std::max<int64_t>(1, millisecondsOf(options_.block)));
  auto reply = connection.command(
      {"XREAD", "COUNT", "16", "BLOCK", block, "STREAMS", requests_key_, last_id_});
  if (!reply) return reply.status();
  if (Status error = replyError(**reply); !error) return error;
  auto entries = parseReadReply(reply->get());
  if (!entries) return entries.status();
  for (const StreamEntry& entry : *entries) {
    last_id_ = entry.id;
    serve(connection, entry.id, entry);
  }
  return Status::ok();
}

void RedisControlServer::serve(RedisConnection& connection, std::string_view entry_id,
                               const StreamEntry& entry) {
  if (!entry.data) {
    metrics_->invalid.inc();
    deadletter(entry_id, "a control request entry without a 'data' field", nullptr, entry.fields);
    return;
  }
  auto request = parseJson(*entry.data);
  if (!request) {
    metrics_->invalid.inc();
    deadletter(entry_id, "a control request that is not JSON: " + request.status().message(),
               nullptr, *entry.data);
    return;
  }
  if (Status valid = contracts_.validate(contracts::type::kControlRequest, *request); !valid) {
    metrics_->invalid.inc();
    deadletter(entry_id, "not a valid control_request: " + valid.message(), &*request, *entry.data);
    return;
  }
  const std::string op = (*request)["op"].get<std::string>();
  const std::string request_id = (*request)["request_id"].get<std::string>();
  const Json& sender_json = (*request)["sender"];
  WallTime now = clock_.now();
  auto expires = parseRfc3339((*request)["expires_at"].get<std::string>());
  if (!expires || *expires < now) {
    metrics_->expired.inc();
    logger_->info("control through Redis: request {} ({}) from {} expired before it was read",
                  request_id, op, describeSender(sender_json));
    return;
  }
  std::vector<std::string> ops = router_.ops();
  if (op != "ops.list" && std::find(ops.begin(), ops.end(), op) == ops.end()) {
    metrics_->elsewhere.inc();
    return;  // another process holds it (or nobody: the sender's deadline says so)
  }

  ControlSender sender{sender_json["user"].get<std::string>(),
                       sender_json["host"].get<std::string>(), sender_json.value("pid", 0)};
  auto run = [&]() -> Result<Json> {
    if (!servedThroughRedis(op)) {
      metrics_->refused.inc();
      return Status(StatusCode::kPermissionDenied,
                    "'" + op +
                        "' is not accepted through Redis, where who asks cannot be proved: use "
                        "the control socket on the ORION host (or the HTTP API's admin token)");
    }
    metrics_->served.inc();
    control::Request call{op, (*request)["args"], {}};
    call.peer.uid = static_cast<uid_t>(-1);
    call.peer.gid = static_cast<gid_t>(-1);
    call.peer.user = sender.user;
    call.peer.via = "redis " + requests_key_ + " " + std::string(entry_id) + " from " +
                    describeSender(sender_json) + " (claimed)";
    call.peer.identity = redisCallerIdentity(sender);
    return router_.dispatch(call);
  };
  Result<Json> result = run();
  logger_->info("control through Redis: {} from {}: {}", op, describeSender(sender_json),
                result.isOk() ? "ok" : result.status().toString());

  Json response = control::responseFor(result);
  response["version"] = "1.0";
  response["request_id"] = request_id;
  response["timestamp"] = formatRfc3339(clock_.now());
  response["source"] = "orion-control";
  response["node"] = options_.node.empty() ? "unknown" : options_.node;
  if (Status valid = contracts_.validate(contracts::type::kControlResponse, response); !valid) {
    response = control::responseFor(internalError(
        "the result of '" + op + "' cannot be sent through Redis: " + valid.message()));
    response.update(Json{{"version", "1.0"},
                         {"request_id", request_id},
                         {"timestamp", formatRfc3339(clock_.now())},
                         {"source", "orion-control"},
                         {"node", options_.node.empty() ? "unknown" : options_.node}});
  }
  const std::string key = controlResponseKey(options_.prefix, request_id);
  const std::string data = response.dump(-1, ' ', false, Json::error_handler_t::replace);
  connection.append({"XADD", key, "MAXLEN", "8", "*", "data", data});
  connection.append({"PEXPIRE", key, kResponseLifetimeMs});
  for (int i = 0; i < 2; ++i) {
    auto written = connection.reply();
    if (!written) return;  // the connection is broken: the next batch reconnects
    if (Status error = replyError(**written); !error) {
      logger_->error("control through Redis: cannot answer on {}: {}", key, error.toString());
    }
  }
}

void RedisControlServer::deadletter(std::string_view entry_id, std::string reason,
                                    const Json* document, std::string_view raw) {
  logger_->warn("control through Redis: entry {} of {} refused: {}", entry_id, requests_key_,
                reason);
  RejectedAt where{requests_key_, contracts::type::kControlRequest, "", entry_id, 0};
  auto published =
      bus_.publish(contracts::type::kDeadletter,
                   makeDeadletter(where, std::move(reason), document, raw, clock_.now()).toJson());
  if (!published) {
    logger_->error("control through Redis: the dead letter for {} was not published: {}", entry_id,
                   published.status().toString());
  }
}

}  // namespace orion::bus
