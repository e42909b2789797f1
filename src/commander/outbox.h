// The commander's outbox: action and outcome documents the bus refused, kept in the journal's
// state store (table "outbox") and published again, in order, before anything newer. Not
// thread-safe: the commander calls it with its mutex held.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

#include "bus/bus.h"
#include "common/json.h"
#include "common/status.h"
#include "state/state_store.h"

namespace orion::commander {

class Outbox {
 public:
  // `store` may be null (no state_dir: kept in memory only); it must outlive the outbox.
  explicit Outbox(state::StateStore* store) : store_(store) {}

  // Reads what a previous run left unpublished.
  Status load();
  // Flushes what waits, then publishes `document`, or keeps it behind what still waits (no new
  // attempt, ok). An error is the bus's refusal of `document` itself (it waits too), or the
  // journal failing to keep it (it waits in memory).
  Status publish(bus::Bus& bus, std::string_view type, const Json& document);
  // Publishes what waits, in order, until the bus refuses one.
  void flush(bus::Bus& bus);
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    uint64_t sequence = 0;
    std::string type;
    Json document;
  };

  state::StateStore* store_;
  std::deque<Entry> entries_;
  uint64_t sequence_ = 0;
};

}  // namespace orion::commander
