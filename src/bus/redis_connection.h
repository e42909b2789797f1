// One synchronous connection to Redis (hiredis), and the reading of its replies. Internal to the
// Redis bus: RedisLink (redis_link.h) owns one and reconnects it; nothing else opens sockets.
//
// A connection is used by one thread at a time (its owner); only interrupt() may be called from
// another thread, and only while the owner guarantees the connection is alive (see
// RedisConsumer). Errors: a transport failure (refused, reset, timed out) is kUnavailable and
// leaves the connection broken (the owner discards it); a Redis error reply is turned into a
// Status by replyError(). Nothing here throws, and writing to a closed connection never raises
// SIGPIPE (it is a transport error like any other).
#pragma once

#include <hiredis/hiredis.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"

namespace orion::bus {

// Where Redis is and how to log in.
struct RedisEndpoint {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string socket;    // a unix socket's path: connects there instead of host:port
  std::string user;      // ACL user; empty: the default user
  std::string password;  // empty: no AUTH
  int db = 0;
  Duration connect_timeout = std::chrono::seconds(2);
  Duration read_timeout = std::chrono::seconds(5);  // longest wait for a reply (plus any BLOCK)

  // "host:port/db", or "unix:/path" and " db N" (never the password), for messages.
  std::string describe() const;
};

struct ReplyDeleter {
  void operator()(redisReply* reply) const { freeReplyObject(reply); }
};
using ReplyPtr = std::unique_ptr<redisReply, ReplyDeleter>;

class RedisConnection {
 public:
  // Connects, authenticates (AUTH user password, or AUTH password) and selects the database.
  // kUnavailable when Redis cannot be reached; kPermissionDenied when the credentials are
  // refused; the Status of the refusal for any other error reply.
  static Result<std::unique_ptr<RedisConnection>> open(const RedisEndpoint& endpoint);
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Sends one command and waits for its reply. An error reply is returned as a reply (check it
  // with replyError); only a transport failure is an error Status.
  Result<ReplyPtr> command(const std::vector<std::string_view>& args);

  // Pipelining: append() queues a command in the output buffer; each reply() flushes what is
  // queued and reads the next reply, in order.
  void append(const std::vector<std::string_view>& args);
  Result<ReplyPtr> reply();

  // The socket timeout for replies (a BLOCKing command needs its block time on top).
  Status setReadTimeout(Duration timeout);

  // Makes a blocked read return at once with a transport error (shutdown(2) on the socket).
  // Safe from another thread while the connection is alive; the connection is broken after.
  void interrupt();

  bool broken() const { return broken_; }

 private:
  explicit RedisConnection(redisContext* context, std::string where);
  Status transportError();
  // Marks the connection broken for `reason` (kept for every later reply()) and returns it.
  Status broke(std::string reason);

  // Sends what append() queued; the connection is broken if that fails.
  Status sendPending();

  redisContext* context_;
  std::string where_;
  bool broken_ = false;
  std::string broken_reason_;
  std::string pending_;  // commands append() queued, in RESP, for the next reply() to send
};

// The Status for an error reply, or OK for any other reply:
//   NOPERM, WRONGPASS, NOAUTH                      → kPermissionDenied
//   OOM, LOADING, BUSY, MASTERDOWN, TRYAGAIN, READONLY → kUnavailable (Redis may accept later)
//   NOGROUP                                        → kNotFound
//   anything else                                  → kFailedPrecondition
Status replyError(const redisReply& reply);

// Reading replies. Each returns an empty view / 0 / nullptr when the reply is not of that type.
std::string_view replyText(const redisReply* reply);  // string or status reply
bool isNil(const redisReply* reply);
size_t replySize(const redisReply* reply);  // elements of an array reply
const redisReply* replyAt(const redisReply* reply, size_t index);
long long replyInteger(const redisReply* reply);

}  // namespace orion::bus
