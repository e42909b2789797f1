// The live summary of `orion run` on a terminal: a header, one line per document as it flows
// through the pipeline, and a status line every ~10 s (see console_format.h for the lines).
//
// It is just another consumer: group "console-<node>" on event, incident, decision,
// approval_request, outcome and deadletter, so it never slows the pipeline beyond formatting one
// line per document. The supervisor starts it before the modules and stops it after them; the
// handlers run on the bus's subscription threads and write under a lock; tick() runs on the
// daemon's main thread.
#pragma once

#include <iosfwd>
#include <memory>
#include <mutex>
#include <vector>

#include "bus/bus.h"
#include "bus/module_context.h"
#include "common/service.h"
#include "daemon/console_format.h"

namespace orion::daemon {

class Console final : public Service {
 public:
  // Writes to `out`, which must outlive the console.
  Console(ModuleContext context, ConsoleHeader header, std::ostream& out,
          Duration status_interval = std::chrono::seconds(10));
  ~Console() override;

  std::string_view name() const override { return "console"; }
  // Prints the header and subscribes. Fails when a subscription cannot be made.
  Status start() override;
  // Shows what is still queued for it until `deadline`, unsubscribes and prints a last status
  // line. Idempotent.
  void stop(MonoTime deadline) override;

  // Prints the status line when `status_interval` passed since the last one (or since start).
  void tick();

 private:
  Status show(const bus::Delivery& delivery);
  void write(const std::string& line);

  ModuleContext context_;
  ConsoleHeader header_;
  std::ostream& out_;
  Duration status_interval_;
  MonoTime last_status_{};
  std::mutex mutex_;  // serialises writes to out_
  std::vector<std::unique_ptr<bus::Subscription>> subscriptions_;
};

}  // namespace orion::daemon
