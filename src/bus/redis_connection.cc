#include "bus/redis_connection.h"

#include <fmt/format.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>

namespace orion::bus {
namespace {

timeval toTimeval(Duration duration) {
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(duration).count();
  if (micros < 1000) micros = 1000;  // 0 would mean "no timeout" to the kernel
  return timeval{static_cast<time_t>(micros / 1'000'000),
                 static_cast<suseconds_t>(micros % 1'000'000)};
}

// One command in RESP, as Redis reads it: "*<argc>\r\n" and "$<length>\r\n<bytes>\r\n" per
// argument (the same bytes hiredis's redisFormatCommandArgv writes).
void appendResp(std::string& out, const std::vector<std::string_view>& args) {
  char digits[24];
  auto number = [&](char type, size_t value) {
    out += type;
    auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
    out.append(digits, end);
    out += "\r\n";
  };
  number('*', args.size());
  for (std::string_view arg : args) {
    number('$', arg.size());
    out.append(arg);
    out += "\r\n";
  }
}

// A pipeline larger than this is not kept for the next one (a burst's outbox can be megabytes).
constexpr size_t kKeptPending = 256 * 1024;

bool startsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

}  // namespace

std::string RedisEndpoint::describe() const {
  if (!socket.empty()) return "unix:" + socket + (db != 0 ? " db " + std::to_string(db) : "");
  std::string where = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  where += ":" + std::to_string(port);
  if (db != 0) where += "/" + std::to_string(db);
  return where;
}

Result<std::unique_ptr<RedisConnection>> RedisConnection::open(const RedisEndpoint& endpoint) {
  std::string where = "Redis at " + endpoint.describe();
  bool unix_socket = !endpoint.socket.empty();
  redisContext* context = unix_socket
                              ? redisConnectUnixWithTimeout(endpoint.socket.c_str(),
                                                            toTimeval(endpoint.connect_timeout))
                              : redisConnectWithTimeout(endpoint.host.c_str(), endpoint.port,
                                                        toTimeval(endpoint.connect_timeout));
  if (context == nullptr) return unavailable(where + ": cannot allocate a connection");
  if (context->err != 0) {
    std::string error = context->errstr;
    redisFree(context);
    return unavailable(where + ": " + error);
  }
  std::unique_ptr<RedisConnection> connection(new RedisConnection(context, where));
  ORION_RETURN_IF_ERROR(connection->setReadTimeout(endpoint.read_timeout));
  // Dead peers (a host that vanished without a FIN) are noticed by keep-alive, not only by the
  // next command timing out. (A unix socket has no such peer, and no TCP options to set.)
  if (!unix_socket) redisEnableKeepAlive(context);

  auto run = [&](const std::vector<std::string_view>& args, std::string_view what) -> Status {
    Result<ReplyPtr> reply = connection->command(args);
    if (!reply) return reply.status();
    Status refused = replyError(**reply);
    if (!refused) return refused.withContext(fmt::format("{}: {}", where, what));
    return Status::ok();
  };
  if (!endpoint.password.empty() || !endpoint.user.empty()) {
    if (endpoint.user.empty()) {
      ORION_RETURN_IF_ERROR(run({"AUTH", endpoint.password}, "AUTH"));
    } else {
      ORION_RETURN_IF_ERROR(
          run({"AUTH", endpoint.user, endpoint.password}, "AUTH as '" + endpoint.user + "'"));
    }
  }
  if (endpoint.db != 0) {
    std::string db = std::to_string(endpoint.db);
    ORION_RETURN_IF_ERROR(run({"SELECT", db}, "SELECT " + db));
  }
  return connection;
}

RedisConnection::RedisConnection(redisContext* context, std::string where)
    : context_(context), where_(std::move(where)) {}

RedisConnection::~RedisConnection() { redisFree(context_); }

void RedisConnection::append(const std::vector<std::string_view>& args) {
  appendResp(pending_, args);
}

Status RedisConnection::sendPending() {
  // hiredis would copy every command into its own output buffer, growing it by doubling, and
  // write with write(2), which raises SIGPIPE on a connection the peer closed (the default
  // action kills the process, and a library must not depend on its host ignoring it). ORION
  // formats the commands itself into a buffer it keeps and sends it with MSG_NOSIGNAL: a closed
  // connection is EPIPE, a transport error like any other. hiredis only reads.
  size_t sent = 0;
  Status status;
  while (sent < pending_.size()) {
    ssize_t n = ::send(context_->fd, pending_.data() + sent, pending_.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) {
      status = broke("connection closed");
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      status = broke("timed out");  // the socket's send timeout (redisSetTimeout sets both)
    } else {
      status = broke(std::strerror(errno));
    }
    break;
  }
  pending_.clear();
  if (pending_.capacity() > kKeptPending) std::string().swap(pending_);
  return status;
}

Result<ReplyPtr> RedisConnection::reply() {
  if (broken_) {
    pending_.clear();
    return unavailable(where_ + ": " + broken_reason_);  // what broke it, every time
  }
  if (!pending_.empty()) ORION_RETURN_IF_ERROR(sendPending());
  void* raw = nullptr;
  if (redisGetReply(context_, &raw) != REDIS_OK || raw == nullptr) return transportError();
  return ReplyPtr(static_cast<redisReply*>(raw));
}

Result<ReplyPtr> RedisConnection::command(const std::vector<std::string_view>& args) {
  append(args);
  return reply();
}

Status RedisConnection::setReadTimeout(Duration timeout) {
  if (redisSetTimeout(context_, toTimeval(timeout)) != REDIS_OK) return transportError();
  return Status::ok();
}

void RedisConnection::interrupt() {
  if (context_->fd >= 0) ::shutdown(context_->fd, SHUT_RDWR);
}

Status RedisConnection::transportError() {
  std::string error = context_->err != 0 ? std::string(context_->errstr) : "connection lost";
  if (error.empty() || error == "Resource temporarily unavailable") error = "timed out";
  return broke(std::move(error));
}

Status RedisConnection::broke(std::string reason) {
  broken_ = true;
  broken_reason_ = std::move(reason);
  return unavailable(where_ + ": " + broken_reason_);
}

Status replyError(const redisReply& reply) {
  if (reply.type != REDIS_REPLY_ERROR) return Status::ok();
  std::string text(reply.str, reply.len);
  if (startsWith(text, "NOPERM") || startsWith(text, "WRONGPASS") || startsWith(text, "NOAUTH")) {
    return {StatusCode::kPermissionDenied, text};
  }
  for (std::string_view transient :
       {"OOM", "LOADING", "BUSY", "MASTERDOWN", "TRYAGAIN", "READONLY"}) {
    if (startsWith(text, transient)) return unavailable(text);
  }
  if (startsWith(text, "NOGROUP")) return notFound(text);
  return failedPrecondition(text);
}

std::string_view replyText(const redisReply* reply) {
  if (reply == nullptr) return {};
  if (reply->type != REDIS_REPLY_STRING && reply->type != REDIS_REPLY_STATUS) return {};
  return {reply->str, reply->len};
}

bool isNil(const redisReply* reply) { return reply == nullptr || reply->type == REDIS_REPLY_NIL; }

size_t replySize(const redisReply* reply) {
  return reply != nullptr && reply->type == REDIS_REPLY_ARRAY ? reply->elements : 0;
}

const redisReply* replyAt(const redisReply* reply, size_t index) {
  return index < replySize(reply) ? reply->element[index] : nullptr;
}

long long replyInteger(const redisReply* reply) {
  return reply != nullptr && reply->type == REDIS_REPLY_INTEGER ? reply->integer : 0;
}

}  // namespace orion::bus
