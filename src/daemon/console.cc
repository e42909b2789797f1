#include "daemon/console.h"

#include <ostream>

#include "bus/routing.h"
#include "common/time.h"

namespace orion::daemon {

namespace {

constexpr std::string_view kShownTypes[] = {"event",   "incident",  "decision", "approval_request",
                                            "outcome", "deadletter"};

}  // namespace

Console::Console(ModuleContext context, ConsoleHeader header, std::ostream& out,
                 Duration status_interval)
    : context_(std::move(context)),
      header_(std::move(header)),
      out_(out),
      status_interval_(status_interval) {}

Console::~Console() { stop(context_.clock.monotonic()); }

Status Console::start() {
  write(formatHeader(header_));
  last_status_ = context_.clock.monotonic();
  for (auto type : kShownTypes) {
    // A group per node: with a Redis bus every process's live view sees every document.
    bus::SubscribeOptions options{std::string(type), bus::nodeGroup("console", context_.node),
                                  "console-1"};
    auto subscription = context_.bus.subscribe(
        options, [this](const bus::Delivery& delivery) { return show(delivery); });
    if (!subscription) {
      stop(context_.clock.monotonic());
      return subscription.status().withContext("console: subscribing to " + std::string(type));
    }
    subscriptions_.push_back(std::move(*subscription));
  }
  return Status::ok();
}

void Console::stop(MonoTime deadline) {
  if (subscriptions_.empty()) return;
  for (auto& subscription : subscriptions_) subscription->drain(deadline);
  for (auto& subscription : subscriptions_) subscription->stop();
  subscriptions_.clear();
  // The totals of the run, as the last thing on the screen.
  std::string time = formatRfc3339(context_.clock.now()).substr(11, 8);
  write(formatStatusLine(context_.metrics, time) + "\n");
}

void Console::tick() {
  MonoTime now = context_.clock.monotonic();
  if (now - last_status_ < status_interval_) return;
  last_status_ = now;
  std::string time = formatRfc3339(context_.clock.now()).substr(11, 8);
  write(formatStatusLine(context_.metrics, time) + "\n");
}

Status Console::show(const bus::Delivery& delivery) {
  // A display problem must never make the bus redeliver or dead-letter a document, so this
  // always acknowledges.
  if (delivery.document) write(formatDocumentLine(delivery.type, *delivery.document) + "\n");
  return Status::ok();
}

void Console::write(const std::string& line) {
  std::lock_guard lock(mutex_);
  out_ << line << std::flush;
}

}  // namespace orion::daemon
