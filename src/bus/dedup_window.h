// Recognising a message delivered twice. At-least-once delivery redelivers a message whose
// acknowledgement was lost (a consumer that crashed after its handler ran, a reclaim by another
// consumer, a publish sent again after a connection broke mid-pipeline); handlers must not turn
// that second delivery into a second incident, decision, action or audit record. The Redis bus
// checks every delivery against the DedupWindow of its consumer group before it calls the
// handler, so module code needs no dedup of its own for redeliveries.
//
// The key of a delivery is "<document id>:<hash of the document text>": the contract's id field
// (documentIdField) and a 64-bit FNV-1a of the exact bytes published. A redelivery carries the
// same bytes, so it matches; a document a module republishes on purpose under the same id (an
// incident whose severity rose, or that resolved) differs, so it is handled.
//
// The window is bounded: it keeps the most recent `capacity` keys (oldest forgotten first). It
// survives a restart when given a StateStore (the Redis bus keeps one per consumer group in
// `<state_dir>/bus/<group>.log`, a table per contract type), so a message redelivered after a
// crash is still recognised. A handled key is first *held* (claim), then either *committed*
// (persisted; the message is acknowledged after that) or *released* (the handler's output could
// not be written, so the message must be handled again).
//
// Thread-safe: the consumers of one group in one process share a window.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/json.h"
#include "common/status.h"
#include "contracts/registry.h"
#include "state/state_store.h"

namespace orion::bus {

// The name of `type`'s id field: the first required field of its schema that ends in "_id"
// ("event_id", "approval_id" for approval_decision, "command_id" for edge.command). Empty when
// the schema has none.
std::string documentIdField(const contracts::ContractRegistry& contracts, std::string_view type);

// The dedup key of a document whose id is `id` and whose published text is `text`.
std::string dedupKey(std::string_view id, std::string_view text);

class DedupWindow {
 public:
  // A window of at most `capacity` keys. With a `store`, it loads the keys kept in `table` and
  // persists every commit there; the store must outlive the window. kUnavailable/kDataLoss from
  // the store, with context.
  static Result<std::unique_ptr<DedupWindow>> open(size_t capacity, state::StateStore* store,
                                                   std::string table);

  // True when `key` was not seen: it is now held for this caller. False when it was committed
  // before, or is held by another delivery (a duplicate arriving in parallel).
  bool claim(const std::string& key);
  // Commits held keys (persisting them, evicting the oldest beyond capacity). On a store error
  // the keys stay remembered in memory and the error is returned.
  Status commit(const std::vector<std::string>& keys);
  // Forgets held keys: those messages will be handled again.
  void release(const std::vector<std::string>& keys);

  size_t size() const;
  size_t capacity() const { return capacity_; }

 private:
  DedupWindow(size_t capacity, state::StateStore* store, std::string table);

  const size_t capacity_;
  state::StateStore* const store_;
  const std::string table_;
  mutable std::mutex mutex_;
  std::unordered_set<std::string> committed_;
  // (sequence, key in committed_), oldest first; an unordered_set's elements stay where they are.
  std::deque<std::pair<uint64_t, const std::string*>> order_;
  std::unordered_set<std::string> held_;
  uint64_t next_sequence_ = 0;
};

// Persists dedup commits off the subscription threads. A StateStore commit usually takes tens of
// microseconds, but now and then one runs a checkpoint and stalls for tens of milliseconds; the
// subscription should be reading and handling its next batch meanwhile, not waiting. Requests are
// committed in order, each followed by its `done` (the subscription's acknowledgements), so a
// message is still acknowledged only after its key is persisted. One thread; any thread submits.
// A request that finds the thread idle wakes it, and it lets the requests of the next kGather
// gather before it commits: at a steady rate each message's groups submit one after another, and
// a context switch per request costs more than the commit (acknowledgements wait that much
// longer; nothing else waits for them).
class DedupPersister {
 public:
  static constexpr auto kGather = std::chrono::milliseconds(1);

  DedupPersister() = default;
  ~DedupPersister();  // stop()
  DedupPersister(const DedupPersister&) = delete;
  DedupPersister& operator=(const DedupPersister&) = delete;

  // Commits `keys` to `window` (which must outlive the request), then calls `done` with the
  // commit's Status. Starts the thread on first use.
  void submit(DedupWindow& window, std::vector<std::string> keys,
              std::function<void(const Status&)> done);
  // Runs what is queued, then joins. Later submissions are committed on the caller's thread.
  void stop();

 private:
  struct Request {
    DedupWindow* window;
    std::vector<std::string> keys;
    std::function<void(const Status&)> done;
  };
  void run();

  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Request> queue_;
  bool stopping_ = false;
  bool stopped_ = false;
  std::thread thread_;
};

}  // namespace orion::bus
