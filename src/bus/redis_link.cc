#include "bus/redis_link.h"

#include <algorithm>
#include <thread>

#include "common/time.h"

namespace orion::bus {
namespace {

// How often a back-off wait re-reads the Clock and `stopping`: short enough that a stop or a
// SimulatedClock moved by a test is noticed at once, long enough to cost nothing.
constexpr Duration kWaitPoll = std::chrono::milliseconds(5);

}  // namespace

// ---- Backoff -------------------------------------------------------------------------------

Backoff::Backoff(Duration initial, Duration max, double jitter, uint64_t seed)
    : initial_(std::max(initial, Duration(1))),
      max_(std::max(max, std::max(initial, Duration(1)))),
      current_(initial_),
      jitter_(std::clamp(jitter, 0.0, 0.99)),
      random_(static_cast<std::minstd_rand::result_type>(seed % 2147483646 + 1)) {}

Duration Backoff::next() {
  Duration delay = current_;
  ++failures_;
  current_ = current_ >= max_ / 2 ? max_ : current_ * 2;
  if (jitter_ > 0) {
    std::uniform_real_distribution<double> spread(1.0 - jitter_, 1.0);
    delay = std::chrono::duration_cast<Duration>(delay * spread(random_));
  }
  return delay;
}

void Backoff::reset() {
  current_ = initial_;
  failures_ = 0;
}

// ---- RedisHealth ---------------------------------------------------------------------------

RedisHealth::RedisHealth(std::string where, const Clock& clock, MetricsRegistry& metrics,
                         Logger log)
    : where_(std::move(where)),
      clock_(clock),
      log_(std::move(log)),
      up_gauge_(metrics.gauge("orion_bus_redis_up",
                              "1 while every connection of the bus to Redis is up, else 0")),
      failures_(metrics.counter("orion_bus_redis_connection_failures_total",
                                "Failed connection attempts and lost connections to Redis")) {}

int RedisHealth::addLink(std::string /*name*/) {
  std::lock_guard lock(mutex_);
  int id = next_link_++;
  links_.emplace_back(id, State::kConnecting);
  up_gauge_.set(0);
  return id;
}

void RedisHealth::removeLink(int link) {
  std::lock_guard lock(mutex_);
  auto it = std::find_if(links_.begin(), links_.end(), [&](auto& l) { return l.first == link; });
  if (it == links_.end()) return;
  if (it->second == State::kDown) --down_;
  links_.erase(it);
  // A link that goes away while Redis is down does not make the bus healthy: only a reconnect
  // ends a degraded period (and logs it).
  up_gauge_.set(healthyLocked() ? 1 : 0);
}

void RedisHealth::up(int link) {
  std::lock_guard lock(mutex_);
  for (auto& [id, state] : links_) {
    if (id != link) continue;
    if (state == State::kDown) --down_;
    state = State::kUp;
  }
  if (degraded_ && down_ == 0) {
    degraded_ = false;
    log_->info("bus healthy again: {} reachable after {}{}", where_,
               formatDuration(clock_.monotonic() - degraded_since_), queueText());
  }
  up_gauge_.set(healthyLocked() ? 1 : 0);
}

void RedisHealth::down(int link, const Status& why) {
  std::lock_guard lock(mutex_);
  failures_.inc();
  for (auto& [id, state] : links_) {
    if (id != link || state == State::kDown) continue;
    state = State::kDown;
    ++down_;
  }
  if (!degraded_ && down_ > 0) {
    degraded_ = true;
    degraded_since_ = clock_.monotonic();
    log_->warn("bus degraded: {}; reconnecting with back-off, publishes are queued locally{}",
               why.message(), queueText());
  }
  up_gauge_.set(0);
}

bool RedisHealth::healthy() const {
  std::lock_guard lock(mutex_);
  return healthyLocked();
}

bool RedisHealth::healthyLocked() const {
  return std::all_of(links_.begin(), links_.end(),
                     [](const auto& l) { return l.second == State::kUp; });
}

void RedisHealth::setQueueDescription(std::function<std::string()> describe) {
  std::lock_guard lock(mutex_);
  describe_queue_ = std::move(describe);
}

std::string RedisHealth::queueText() const {
  if (!describe_queue_) return "";
  std::string text = describe_queue_();
  return text.empty() ? text : " (" + text + ")";
}

// ---- RedisLink -----------------------------------------------------------------------------

RedisLink::RedisLink(RedisEndpoint endpoint, ReconnectPolicy policy, const Clock& clock,
                     RedisHealth& health, std::string name, bool counted)
    : endpoint_(std::move(endpoint)),
      clock_(clock),
      health_(health),
      name_(std::move(name)),
      link_(counted ? health.addLink(name_) : -1),
      backoff_(policy.initial, policy.max, 0.2, std::hash<std::string>{}(name_)) {}

RedisLink::~RedisLink() {
  if (link_ >= 0) health_.removeLink(link_);
}

RedisConnection* RedisLink::connect(const std::function<bool()>& stopping, bool* fresh) {
  if (fresh != nullptr) *fresh = false;
  while (connection_ == nullptr) {
    if (!waitUntil(next_attempt_, stopping)) return nullptr;
    if (attempt(nullptr) && fresh != nullptr) *fresh = true;
  }
  return connection_.get();
}

RedisConnection* RedisLink::tryConnect(Status* error) {
  if (connection_ != nullptr) return connection_.get();
  if (clock_.monotonic() < next_attempt_) {
    if (error != nullptr) {
      *error = unavailable("Redis at " + endpoint_.describe() + ": unreachable, reconnecting");
    }
    return nullptr;
  }
  if (!attempt(error)) return nullptr;
  confirm();
  return connection_.get();
}

bool RedisLink::attempt(Status* error) {
  Result<std::unique_ptr<RedisConnection>> opened = RedisConnection::open(endpoint_);
  if (!opened) {
    if (error != nullptr) *error = opened.status();
    fail(opened.status());
    return false;
  }
  connection_ = std::move(opened).value();
  confirmed_ = false;
  return true;
}

void RedisLink::confirm() {
  if (connection_ == nullptr || confirmed_) return;
  confirmed_ = true;
  backoff_.reset();
  if (link_ >= 0) health_.up(link_);
}

void RedisLink::fail(const Status& why) {
  connection_.reset();
  next_attempt_ = clock_.monotonic() + backoff_.next();
  if (link_ >= 0) health_.down(link_, why);
}

bool RedisLink::waitUntil(MonoTime until, const std::function<bool()>& stopping) const {
  while (true) {
    if (stopping()) return false;
    MonoTime now = clock_.monotonic();
    if (now >= until) return true;
    std::this_thread::sleep_for(std::min<Duration>(until - now, kWaitPoll));
  }
}

}  // namespace orion::bus
