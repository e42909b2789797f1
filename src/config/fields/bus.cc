#include "config/field_builders.h"
#include "config/fields/fields.h"

namespace orion::config {

namespace {

using namespace std::chrono_literals;
namespace b = builders;

// Stream names are "<prefix>:<type>s" on Redis too, so the prefix stays a plain word.
Status checkStreamPrefix(std::string_view text) {
  bool ok = !text.empty();
  for (char c : text) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '_' || c == '-' || c == '.');
  }
  if (ok) return Status::ok();
  return invalidArgument("expected a stream prefix of letters, digits, '_', '-' or '.', got '" +
                         std::string(text) + "'");
}

}  // namespace

void addBusFields(std::vector<Field>& f) {
  f.push_back(b::text(
      "bus.url", "a bus URL", [](auto& c) -> auto& { return c.bus.url; }, checkBusUrl));
  f.push_back(b::text(
      "bus.stream_prefix", "a stream prefix", [](auto& c) -> auto& { return c.bus.stream_prefix; },
      checkStreamPrefix));
  f.push_back(b::integer(
      "bus.max_stream_length", 1, 100'000'000,
      [](auto& c) -> auto& { return c.bus.max_stream_length; }));
  f.push_back(b::choice<std::string>(
      "bus.when_full", {{"drop_oldest", "drop_oldest"}, {"block", "block"}},
      [](auto& c) -> auto& { return c.bus.when_full; }));
  f.push_back(b::duration(
      "bus.block_timeout", 0ms, 1min, [](auto& c) -> auto& { return c.bus.block_timeout; }));
  f.push_back(b::integer(
      "bus.max_deliveries", 1, 100, [](auto& c) -> auto& { return c.bus.max_deliveries; }));
  f.push_back(b::duration(
      "bus.redelivery_delay", 0ms, 1min, [](auto& c) -> auto& { return c.bus.redelivery_delay; }));
  // The Redis bus (bus.url set); ignored by the embedded bus.
  f.push_back(b::duration(
      "bus.connect_timeout", 10ms, 1min, [](auto& c) -> auto& { return c.bus.connect_timeout; }));
  f.push_back(b::duration(
      "bus.read_timeout", 10ms, 5min, [](auto& c) -> auto& { return c.bus.read_timeout; }));
  f.push_back(b::duration(
      "bus.reconnect_initial_delay", 1ms, 1min,
      [](auto& c) -> auto& { return c.bus.reconnect_initial_delay; }));
  f.push_back(b::duration(
      "bus.reconnect_max_delay", 1ms, 10min,
      [](auto& c) -> auto& { return c.bus.reconnect_max_delay; }));
  f.push_back(b::integer(
      "bus.local_queue_capacity", 1, 10'000'000,
      [](auto& c) -> auto& { return c.bus.local_queue_capacity; }));
  f.push_back(b::duration(
      "bus.claim_idle", 100ms, 24h, [](auto& c) -> auto& { return c.bus.claim_idle; }));
  f.push_back(b::choice<std::string>(
      "bus.new_group_start", {{"end", "end"}, {"beginning", "beginning"}},
      [](auto& c) -> auto& { return c.bus.new_group_start; }));
  f.push_back(b::integer(
      "bus.dedup_window", 1, 10'000'000, [](auto& c) -> auto& { return c.bus.dedup_window; }));
}

}  // namespace orion::config
