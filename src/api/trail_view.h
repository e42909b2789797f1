// The API's view of the audit trail (memory's offline side, memory/memory.h): one AuditReader
// shared by the request threads, and the chain's verification status kept fresh in the
// background.
//
// The reader is opened on first use, not at start: in the distributed shape, or right after a
// first `orion run`, the trail may not exist yet. Until it does, use() is kNotFound and the
// routes answer empty lists (and /ready says why). An AuditReader is used by one thread at a
// time, so use() holds a mutex for the duration of `work`; queries are index lookups of a few
// milliseconds. A reader that failed (kDataLoss, kUnavailable) is dropped and reopened next time.
//
// The chain is verified (memory::verifyTrail) on the verifier's own thread: at start, then every
// `interval`, never on a request thread. stop() waits for a verification in progress (verifyTrail
// cannot be interrupted); on a trail of a million records that is a few seconds.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/clock.h"
#include "common/logging.h"
#include "common/status.h"
#include "memory/memory.h"

namespace orion::api {

// What the last verification found.
struct ChainStatus {
  std::string state = "unknown";  // "ok", "broken", "unknown" (not verified yet, or no trail)
  std::string checked_at;         // RFC 3339, "" before the first verification
  std::string detail;             // the failure or why it is unknown
  uint64_t records = 0;
  uint64_t last_seq = 0;
};

class TrailView {
 public:
  TrailView(memory::TrailOptions trail, const Clock& clock, Logger log);
  ~TrailView();
  TrailView(const TrailView&) = delete;
  TrailView& operator=(const TrailView&) = delete;

  // Runs `work` with the reader. kNotFound when there is no trail (yet); an error from opening
  // or from `work` as it is.
  Status use(const std::function<Status(memory::AuditReader&)>& work);
  // Like use(), with a reader that first brings the index up to the end of the log (for a
  // lookup that must see a record written a moment ago; costs the catch-up).
  Status useCaughtUp(const std::function<Status(memory::AuditReader&)>& work);

  // Starts the verifier thread (interval > 0) or not (0: chain() stays "unknown" until
  // verifyNow()). Call once.
  void startVerifier(Duration interval);
  // Verifies now, on the caller's thread (tests, a small trail).
  void verifyNow();
  // The last verification's result. While it is "unknown", asking wakes the verifier.
  ChainStatus chain();
  // Stops the verifier and closes the reader. Idempotent.
  void stop();

  const memory::TrailOptions& options() const { return trail_; }

 private:
  void verifierLoop(Duration interval);

  const memory::TrailOptions trail_;
  const Clock& clock_;
  Logger log_;

  std::mutex reader_mutex_;  // guards reader_ and every use of it
  std::unique_ptr<memory::AuditReader> reader_;

  mutable std::mutex chain_mutex_;
  ChainStatus chain_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool verify_requested_ = false;
  std::thread verifier_;
};

}  // namespace orion::api
