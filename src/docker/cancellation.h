// A one-shot "stop now" signal another thread can raise, as a file descriptor that poll() watches
// beside a socket, so a blocking read (the engine's event stream) ends the moment a source stops
// instead of at its next timeout. Thread-safe: cancel() from any thread, any number of times.
#pragma once

#include <atomic>
#include <chrono>

namespace orion::docker {

class Cancellation {
 public:
  Cancellation();  // an eventfd; if the kernel refuses one, cancelled() still works by flag
  ~Cancellation();
  Cancellation(const Cancellation&) = delete;
  Cancellation& operator=(const Cancellation&) = delete;

  void cancel();
  bool cancelled() const;
  // Readable once cancel() was called; -1 when no eventfd could be made.
  int fd() const { return fd_; }
  // Waits up to `timeout` (real time) for cancel(); true when cancelled. For back-off between
  // reconnects that must not delay a shutdown.
  bool waitFor(std::chrono::nanoseconds timeout) const;
  // Back to "not cancelled" (only while nobody is waiting on it).
  void reset();

 private:
  int fd_ = -1;
  std::atomic<bool> flag_{false};
};

}  // namespace orion::docker
