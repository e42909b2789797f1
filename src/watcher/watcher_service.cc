#include "watcher/watcher_service.h"

#include <algorithm>
#include <chrono>

#include "common/thread_name.h"
#include "common/time.h"
#include "watcher/bus_event_publisher.h"

namespace orion::watcher {

struct WatcherService::Slot {
  std::string instance;
  Logger logger;
  std::unique_ptr<BusEventPublisher> publisher;
  std::unique_ptr<Source> source;
  std::optional<MonoTime> next_due;  // unset: due at once
  std::string last_error;            // "" while sampling works
  Counter* samples = nullptr;
  Counter* errors = nullptr;
  Histogram* duration = nullptr;
};

WatcherService::WatcherService(ModuleContext context)
    : context_(std::move(context)), logger_(makeLogger("watcher")) {}

WatcherService::~WatcherService() { stop(context_.clock.monotonic()); }

void WatcherService::addSource(const SourceSpec& spec) {
  auto slot = std::make_unique<Slot>();
  slot->instance = spec.instance;
  slot->logger = makeLogger("watcher." + spec.instance);
  slot->publisher = std::make_unique<BusEventPublisher>(context_.bus, context_.metrics,
                                                        slot->logger, spec.instance, spec.labels);
  Labels labels{{"source", spec.instance}};
  MetricsRegistry& metrics = context_.metrics;
  slot->samples = &metrics.counter("orion_watcher_samples_total", "Samples taken", labels);
  slot->errors = &metrics.counter("orion_watcher_sample_errors_total",
                                  "Samples that could not read everything", labels);
  slot->duration =
      &metrics.histogram("orion_watcher_sample_duration_seconds", "Time one sample took", labels);
  Result<std::unique_ptr<Source>> source =
      spec.make(SourceContext{context_.clock, context_.metrics, slot->logger, context_.node,
                              *slot->publisher, spec.instance});
  if (!source) {
    if (build_error_.isOk()) {
      build_error_ = source.status().withContext("watcher source '" + spec.instance + "'");
    }
    return;
  }
  slot->source = std::move(source).value();
  slots_.push_back(std::move(slot));
}

Status WatcherService::start() {
  ORION_RETURN_IF_ERROR(build_error_);
  if (started_) return failedPrecondition("watcher: already started");
  if (slots_.empty()) {
    logger_->info("no watcher source is enabled");
    return Status::ok();
  }
  for (size_t i = 0; i < slots_.size(); ++i) {
    Status status = slots_[i]->source->start();
    if (!status) {
      for (size_t j = 0; j < i; ++j) slots_[j]->source->stop();
      return status.withContext("watcher source '" + slots_[i]->instance + "'");
    }
  }
  {
    std::lock_guard lock(mutex_);
    stopping_ = false;
  }
  started_ = true;
  for (const auto& slot : slots_) {
    threads_.emplace_back([this, raw = slot.get()] {
      nameThisThread("watch:" + raw->instance);
      run(*raw);
    });
    logger_->info("source '{}' ({}) samples every {}", slot->instance, slot->source->type(),
                  formatDuration(slot->source->interval()));
  }
  return Status::ok();
}

void WatcherService::stop(MonoTime /*deadline*/) {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  threads_.clear();
  if (started_) {
    for (const auto& slot : slots_) slot->source->stop();
    started_ = false;
  }
}

void WatcherService::run(Slot& slot) {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    MonoTime next = runSlot(slot, context_.clock.monotonic());
    lock.lock();
    // The wait is computed on the injected clock but performed on the real one: with a real
    // clock they agree, and a simulated clock only matters to tests, which drive runDue().
    Duration wait = next - context_.clock.monotonic();
    if (wait > Duration::zero()) wake_.wait_for(lock, wait, [this] { return stopping_; });
  }
}

MonoTime WatcherService::runSlot(Slot& slot, MonoTime now) {
  if (!slot.next_due || *slot.next_due <= now) {
    sampleOne(slot);
    Duration interval = std::max<Duration>(slot.source->interval(), std::chrono::milliseconds(1));
    // Keep a steady cadence; after a stall (suspend, a slow disk, a probe's timeout) start afresh
    // rather than firing a burst of catch-up samples.
    MonoTime next = slot.next_due ? *slot.next_due + interval : now + interval;
    slot.next_due = next <= now ? now + interval : next;
  }
  return *slot.next_due;
}

MonoTime WatcherService::runDue(MonoTime now) {
  std::optional<MonoTime> earliest;
  for (const auto& slot : slots_) {
    MonoTime next = runSlot(*slot, now);
    if (!earliest || next < *earliest) earliest = next;
  }
  return earliest.value_or(now + std::chrono::hours(1));
}

void WatcherService::sampleOne(Slot& slot) {
  MonoTime started = context_.clock.monotonic();
  Status status = slot.source->sample(context_.clock.now());
  slot.duration->observe(
      std::chrono::duration<double>(context_.clock.monotonic() - started).count());
  slot.samples->inc();
  if (!status.isOk()) {
    slot.errors->inc();
    if (status.message() != slot.last_error) {
      slot.last_error = status.message();
      slot.logger->error("sample failed: {}", status.toString());
    }
  } else if (!slot.last_error.empty()) {
    slot.last_error.clear();
    slot.logger->info("sampling works again");
  }
}

}  // namespace orion::watcher
