#include "bus/redis_connection.h"

#include <fmt/format.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <chrono>
#include <optional>

namespace orion::bus {
namespace {

timeval toTimeval(Duration duration) {
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(duration).count();
  if (micros < 1000) micros = 1000;  // 0 would mean "no timeout" to the kernel
  return timeval{static_cast<time_t>(micros / 1'000'000),
                 static_cast<suseconds_t>(micros % 1'000'000)};
}

// hiredis writes with write(2), so writing to a connection the peer has closed (Redis restarted,
// or interrupt() shut the socket down while a command was queued) raises SIGPIPE, whose default
// action kills the process. The daemon ignores SIGPIPE, but a library must not depend on its host
// having done so. As libpq does: block SIGPIPE in this thread while hiredis writes, swallow one
// the write raised (unless one was already pending before), and restore the thread's mask. The
// write itself then fails with EPIPE, which hiredis reports as a transport error.
// That costs four system calls per write, so it is skipped while the process ignores SIGPIPE
// (one call to ask, at every write, since a host may change its mind).
bool sigpipeIgnored() {
  struct sigaction current {};
  return sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_IGN;
}

class SigpipeBlocked {
 public:
  SigpipeBlocked() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    pending_before_ = pending();
    pthread_sigmask(SIG_BLOCK, &pipe_, &previous_);
  }
  ~SigpipeBlocked() {
    if (!pending_before_ && pending()) {
      timespec now{};
      sigtimedwait(&pipe_, nullptr, &now);
    }
    pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
  }
  SigpipeBlocked(const SigpipeBlocked&) = delete;
  SigpipeBlocked& operator=(const SigpipeBlocked&) = delete;

 private:
  static bool pending() {
    sigset_t set;
    sigemptyset(&set);
    return sigpending(&set) == 0 && sigismember(&set, SIGPIPE) == 1;
  }

  sigset_t pipe_;
  sigset_t previous_;
  bool pending_before_ = false;
};

bool startsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

}  // namespace

std::string RedisEndpoint::describe() const {
  std::string where = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  where += ":" + std::to_string(port);
  if (db != 0) where += "/" + std::to_string(db);
  return where;
}

Result<std::unique_ptr<RedisConnection>> RedisConnection::open(const RedisEndpoint& endpoint) {
  std::string where = "Redis at " + endpoint.describe();
  redisContext* context = redisConnectWithTimeout(endpoint.host.c_str(), endpoint.port,
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
  // next command timing out.
  redisEnableKeepAlive(context);

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
  argv_.clear();
  argv_len_.clear();
  for (std::string_view arg : args) {
    argv_.push_back(arg.data());
    argv_len_.push_back(arg.size());
  }
  // Fails only when hiredis cannot allocate; the next reply() then reports the broken context.
  if (redisAppendCommandArgv(context_, static_cast<int>(argv_.size()), argv_.data(),
                             argv_len_.data()) != REDIS_OK) {
    broken_ = true;
  }
  unsent_ = true;
}

Result<ReplyPtr> RedisConnection::reply() {
  if (broken_ && context_->err == 0) return unavailable(where_ + ": out of memory");
  void* raw = nullptr;
  int read = REDIS_ERR;
  if (unsent_) {
    // The first reply after append() flushes the output buffer: the only writes hiredis does.
    std::optional<SigpipeBlocked> blocked;
    if (!sigpipeIgnored()) blocked.emplace();
    read = redisGetReply(context_, &raw);
    unsent_ = false;
  } else {
    read = redisGetReply(context_, &raw);
  }
  if (read != REDIS_OK || raw == nullptr) return transportError();
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
  broken_ = true;
  std::string error = context_->err != 0 ? std::string(context_->errstr) : "connection lost";
  if (error.empty() || error == "Resource temporarily unavailable") error = "timed out";
  return unavailable(where_ + ": " + error);
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
