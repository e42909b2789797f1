#include "config/field_builders.h"
#include "config/fields/fields.h"

namespace orion::config {

using namespace std::chrono_literals;
namespace b = builders;

void addMemoryFields(std::vector<Field>& f) {
  f.push_back(b::nonEmptyText(
      "memory.audit_dir", "a directory path", [](auto& c) -> auto& { return c.memory.audit_dir; }));
  f.push_back(b::duration(
      "memory.sync_interval", 0ms, 1s, [](auto& c) -> auto& { return c.memory.sync_interval; }));
  f.push_back(b::integer(
      "memory.sync_batch_records", 1, 1'000'000,
      [](auto& c) -> auto& { return c.memory.sync_batch_records; }));
  f.push_back(b::integer(
      "memory.segment_max_mib", 1, 65536,
      [](auto& c) -> auto& { return c.memory.segment_max_mib; }));
  f.push_back(b::boolean(
      "memory.rotate_daily", [](auto& c) -> auto& { return c.memory.rotate_daily; }));
  f.push_back(b::duration(
      "memory.retention_max_age", 0ms, 3650 * 24h,
      [](auto& c) -> auto& { return c.memory.retention_max_age; }));
  f.push_back(b::integer(
      "memory.retention_max_mib", 0, int64_t{1} << 40,
      [](auto& c) -> auto& { return c.memory.retention_max_mib; }));
  f.push_back(b::text(
      "memory.hmac_key_file", "a file path, or empty for none",
      [](auto& c) -> auto& { return c.memory.hmac_key_file; }, nullptr));
  f.push_back(b::integer(
      "memory.dedup_window", 0, 10'000'000,
      [](auto& c) -> auto& { return c.memory.dedup_window; }));
}

}  // namespace orion::config
