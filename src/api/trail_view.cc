#include "api/trail_view.h"

#include <algorithm>

#include "common/thread_name.h"
#include "common/time.h"

namespace orion::api {

namespace {
constexpr Duration kRetry = std::chrono::seconds(10);
}  // namespace

TrailView::TrailView(memory::TrailOptions trail, const Clock& clock, Logger log)
    : trail_(std::move(trail)), clock_(clock), log_(std::move(log)) {}

TrailView::~TrailView() { stop(); }

Status TrailView::use(const std::function<Status(memory::AuditReader&)>& work) {
  std::lock_guard lock(reader_mutex_);
  if (!reader_) {
    // No catch-up here: the memory service keeps the index current, and a reader catching up
    // a big trail on a request thread would hold every other request.
    memory::AuditReader::Options options;
    options.catch_up = false;
    Result<std::unique_ptr<memory::AuditReader>> opened =
        memory::AuditReader::open(trail_, options);
    if (!opened) return opened.status();
    reader_ = std::move(opened).value();
  }
  Status status = work(*reader_);
  if (status.code() == StatusCode::kDataLoss || status.code() == StatusCode::kUnavailable) {
    log_->warn("audit trail: {}; reopening it on the next request", status.message());
    reader_.reset();
  }
  return status;
}

Status TrailView::useCaughtUp(const std::function<Status(memory::AuditReader&)>& work) {
  std::lock_guard lock(reader_mutex_);
  Result<std::unique_ptr<memory::AuditReader>> opened = memory::AuditReader::open(trail_);
  if (!opened) return opened.status();
  return work(**opened);
}

void TrailView::startVerifier(Duration interval) {
  if (interval <= Duration::zero() || verifier_.joinable()) return;
  verifier_ = std::thread([this, interval] {
    nameThisThread("api-verify");
    verifierLoop(interval);
  });
}

void TrailView::verifyNow() {
  ChainStatus status;
  Result<memory::VerifyReport> report = memory::verifyTrail(trail_);
  status.checked_at = formatRfc3339(clock_.now());
  if (!report) {
    status.state = "unknown";
    status.detail = report.status().message();
  } else {
    status.state = report->ok ? "ok" : "broken";
    status.records = report->records;
    status.last_seq = report->last_seq;
    if (report->failure) {
      const memory::Finding& failure = *report->failure;
      status.detail = failure.what;
      if (failure.seq > 0) status.detail += " (seq " + std::to_string(failure.seq) + ")";
    }
    if (!report->ok && !report->failure) status.detail = "the trail records a loss";
  }
  if (status.state == "broken") log_->error("audit trail verification failed: {}", status.detail);
  std::lock_guard lock(chain_mutex_);
  chain_ = std::move(status);
}

ChainStatus TrailView::chain() {
  std::lock_guard lock(chain_mutex_);
  if (chain_.state == "unknown" && !verify_requested_) {
    // Not verified yet (the trail may have appeared since): ask the verifier now rather than at
    // its next round. It answers on its own thread; this request sees the answer next time.
    verify_requested_ = true;
    wake_.notify_all();
  }
  return chain_;
}

void TrailView::verifierLoop(Duration interval) {
  std::unique_lock lock(chain_mutex_);
  while (!stopping_) {
    lock.unlock();
    verifyNow();
    lock.lock();
    // Not verified (no trail yet, say): try again soon rather than in `interval`.
    Duration wait = chain_.state == "unknown" ? std::min<Duration>(interval, kRetry) : interval;
    // A real-time wait: this paces background work, it is not time logic.
    wake_.wait_for(lock, wait, [this] { return stopping_ || verify_requested_; });
    verify_requested_ = false;
  }
}

void TrailView::stop() {
  {
    std::lock_guard lock(chain_mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (verifier_.joinable()) verifier_.join();
  std::lock_guard lock(reader_mutex_);
  reader_.reset();
}

}  // namespace orion::api
