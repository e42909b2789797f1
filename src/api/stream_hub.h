// The fan-out behind GET /api/v1/stream: the bus handlers (one subscription per contract type)
// offer each live document to the hub, which hands its server-sent-events frame to every client
// that asked for that type. Each client has a bounded queue; a client whose queue is full has
// fallen behind: it is marked overflowed (its queue dropped), and its stream ends with an
// `overflow` event. offer() never blocks on a client, so a slow client can never hold the bus.
//
// Threads: offer() runs on the bus subscription threads; a client's next() on the HTTP worker
// serving its stream; join()/leave()/closeAll() on any thread. All are thread-safe.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/json.h"

namespace orion::api {

// One server-sent event: "event: <type>\nid: <id>\ndata: <compact JSON>\n\n".
std::string sseFrame(std::string_view type, std::string_view id, const Json& data);

class StreamClient {
 public:
  StreamClient(std::set<std::string, std::less<>> types, size_t queue_limit);

  // What next() found.
  struct Batch {
    std::string frames;       // every queued frame, concatenated ("" when the wait timed out)
    size_t count = 0;         // how many
    bool overflowed = false;  // fell behind: send the overflow event and end the stream
    bool closed = false;      // the server is stopping: end the stream
  };
  // Waits up to `wait` (real time) for frames, then takes all of them.
  Batch next(Duration wait);

  bool wants(std::string_view type) const { return types_.count(type) > 0; }
  // Queues a frame; false when the queue was full (the client is now overflowed) — true again
  // for an already overflowed or closed client, which drops it.
  bool push(const std::string& frame);
  void close();

 private:
  const std::set<std::string, std::less<>> types_;
  const size_t queue_limit_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::string> queue_;
  bool overflowed_ = false;
  bool closed_ = false;
};

class StreamHub {
 public:
  explicit StreamHub(size_t max_clients) : max_clients_(max_clients) {}

  // A new client, or nullptr when max_clients are connected or the hub is closed.
  std::shared_ptr<StreamClient> join(std::set<std::string, std::less<>> types, size_t queue_limit);
  void leave(const std::shared_ptr<StreamClient>& client);
  // Offers one document to every client that wants `type`; returns how many clients it
  // overflowed.
  size_t offer(std::string_view type, std::string_view id, const Json& document);
  // Closes every client and refuses new ones. Idempotent.
  void closeAll();
  size_t clients() const;

 private:
  const size_t max_clients_;
  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<StreamClient>> clients_;
  bool closed_ = false;
};

}  // namespace orion::api
