#include "api/auth_limiter.h"

#include <algorithm>

namespace orion::api {

std::optional<Duration> AuthLimiter::check(const std::string& client, MonoTime now) {
  std::lock_guard lock(mutex_);
  auto it = clients_.find(client);
  if (it == clients_.end()) return std::nullopt;
  if (over(it->second, now)) {
    end(it);
    return std::nullopt;
  }
  Window& window = it->second;
  if (window.failures < limits_.max_failures) return std::nullopt;
  ++window.refused;
  return window.start + limits_.window - now;
}

void AuthLimiter::recordFailure(const std::string& client, MonoTime now) {
  std::lock_guard lock(mutex_);
  auto it = clients_.find(client);
  if (it != clients_.end() && over(it->second, now)) {
    end(it);
    it = clients_.end();
  }
  if (it == clients_.end()) {
    if (clients_.size() >= limits_.max_clients) makeRoom(now);
    it = clients_.emplace(client, Window{now}).first;
  }
  Window& window = it->second;
  ++window.failures;
  if (window.failures == 1 || window.failures == limits_.max_failures) {
    notes_.push_back({window.failures == 1 ? AuthAuditNote::Kind::kFirstFailure
                                           : AuthAuditNote::Kind::kLimitReached,
                      client, window.failures, window.refused, 0});
    window.audited = window.failures;
  }
}

std::vector<AuthAuditNote> AuthLimiter::takeNotes() {
  std::lock_guard lock(mutex_);
  std::vector<AuthAuditNote> out;
  out.swap(notes_);
  return out;
}

void AuthLimiter::flush() {
  std::lock_guard lock(mutex_);
  while (!clients_.empty()) end(clients_.begin());
}

void AuthLimiter::end(std::map<std::string, Window>::iterator it) {
  const Window& window = it->second;
  int unaudited = window.failures - window.audited + window.refused;
  if (unaudited > 0) {
    notes_.push_back(
        {AuthAuditNote::Kind::kSummary, it->first, window.failures, window.refused, unaudited});
  }
  clients_.erase(it);
}

void AuthLimiter::makeRoom(MonoTime now) {
  for (auto it = clients_.begin(); it != clients_.end();) {
    auto next = std::next(it);
    if (over(it->second, now)) end(it);
    it = next;
  }
  if (clients_.size() < limits_.max_clients) return;
  auto oldest = std::min_element(
      clients_.begin(), clients_.end(),
      [](const auto& a, const auto& b) { return a.second.start < b.second.start; });
  end(oldest);
}

}  // namespace orion::api
