// The watcher service behind makeWatcher(): one sampling thread per source instance, each on its
// own interval, so a probe waiting for its timeout never delays another source. Exposed (beyond
// watcher.h) so tests can add their own sources and drive the schedule with a SimulatedClock
// through runDue() instead of the threads.
//
// Per instance it owns a BusEventPublisher and reports
//   orion_watcher_samples_total{source}, orion_watcher_sample_errors_total{source},
//   orion_watcher_sample_duration_seconds{source} (histogram, measured on the injected clock).
// A failing sample is logged when its error starts or changes and when it clears, not on every
// sample; it never stops the thread.
//
// The watcher only publishes: it holds no bus subscription, so a slow sample can never hold up a
// consumer. stop() wakes every thread at once (a condition variable, not a sleep) and then
// stops each source's own threads (Source::stop()).
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bus/module_context.h"
#include "common/service.h"
#include "watcher/source.h"

namespace orion::watcher {

class WatcherService final : public Service {
 public:
  explicit WatcherService(ModuleContext context);
  ~WatcherService() override;

  // Builds the instance `spec` describes with its own context. Call before start(). A spec that
  // fails to build makes start() fail with that error (named after the instance).
  void addSource(const SourceSpec& spec);

  std::string_view name() const override { return "watcher"; }
  // Starts each source (Source::start()) and its sampling thread. Every source samples once
  // right away. Fails if a source could not be built or started (those started are stopped).
  Status start() override;
  // Wakes and joins the threads; a sample in progress finishes first (a probe's at most its
  // timeout), then each source's stop().
  void stop(MonoTime deadline) override;

  // Samples every instance due at `now` and returns when the next one is due. A test may call it
  // directly on a service that was not started (the threads use runSlot()).
  MonoTime runDue(MonoTime now);

  size_t sourceCount() const { return slots_.size(); }

 private:
  struct Slot;
  void run(Slot& slot);
  // Samples `slot` if it is due at `now`; returns when it is due next.
  MonoTime runSlot(Slot& slot, MonoTime now);
  void sampleOne(Slot& slot);

  ModuleContext context_;
  Logger logger_;
  std::vector<std::unique_ptr<Slot>> slots_;
  Status build_error_;

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool started_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace orion::watcher
