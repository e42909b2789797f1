// Rate limiting of failed admin authentications, per client address, and what the audit trail
// is told about them (docs/api.md, "Admin endpoints").
//
// A client (an IP address) that fails `max_failures` times within one window is refused (429)
// until that window ends, even with the right token: the window starts at the client's first
// failure and lasts `window`; a failure after it starts a new one. Successful requests neither
// count nor reset the count.
//
// Auditing is rate-limited too, so an attacker cannot flood the trail: per client and window at
// most three notes: the first failure, the failure that reached the limit, and, when the window
// is over (noticed at the client's next request, when room is needed, or at flush()), a summary
// of the attempts the first two did not cover (failures in between, requests refused while
// limited).
//
// Pure time logic (the caller passes the monotonic time). Thread-safe: the API's worker threads
// call it concurrently. Memory: at most `max_clients` addresses; when full, ended windows are
// dropped first (their summaries noted), then the oldest window.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"

namespace orion::api {

struct AuthLimits {
  int max_failures = 5;
  Duration window = std::chrono::seconds(60);
  size_t max_clients = 4096;
};

// One audit record to write about one client.
struct AuthAuditNote {
  enum class Kind { kFirstFailure, kLimitReached, kSummary };
  Kind kind = Kind::kFirstFailure;
  std::string client;
  int failures = 0;  // failed attempts in the window (so far, or in all for kSummary)
  int refused = 0;   // requests refused while limited in the window (kSummary)
  // kSummary: failures + refusals that no earlier note of the window counted.
  int unaudited = 0;
};

class AuthLimiter {
 public:
  explicit AuthLimiter(AuthLimits limits = {}) : limits_(limits) {}

  // Before the token is looked at. nullopt: `client` may try. Otherwise it is limited: how long
  // until its window ends (the refusal is counted for the summary).
  std::optional<Duration> check(const std::string& client, MonoTime now);

  // After `client` failed to authenticate (no token, or a wrong one).
  void recordFailure(const std::string& client, MonoTime now);

  // The notes gathered since the last call, oldest first; the caller writes them.
  std::vector<AuthAuditNote> takeNotes();

  // Ends every window now: notes the summaries of all of them (at stop()).
  void flush();

 private:
  struct Window {
    MonoTime start;
    int failures = 0;
    int refused = 0;
    int audited = 0;  // failures a note already counted
  };
  // Called with mutex_ held.
  void end(std::map<std::string, Window>::iterator it);
  void makeRoom(MonoTime now);
  bool over(const Window& window, MonoTime now) const {
    return now >= window.start + limits_.window;
  }

  const AuthLimits limits_;
  std::mutex mutex_;  // guards everything below
  std::map<std::string, Window> clients_;
  std::vector<AuthAuditNote> notes_;
};

}  // namespace orion::api
