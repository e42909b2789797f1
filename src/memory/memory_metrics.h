// Every metric memory exports, in one list. Built once from the registry; updating is lock-free
// from any thread.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "common/metrics.h"

namespace orion::memory {

struct MemoryMetrics {
  explicit MemoryMetrics(MetricsRegistry& registry);

  MetricsRegistry& registry;
  // Writing (the group-commit writer).
  Counter& appended;         // orion_memory_appended_records_total: records made durable
  Counter& duplicates;       // orion_memory_duplicates_total: redeliveries not recorded again
  Counter& batches;          // orion_memory_batches_total: fdatasync'd batches
  Histogram& batch_records;  // orion_memory_batch_records: records per durable batch
  Histogram& sync_seconds;   // orion_memory_sync_seconds: write + fdatasync of one batch
  Counter& write_errors;     // orion_memory_write_errors_total: failed writes or syncs (retried)
  Gauge& degraded;           // orion_memory_degraded: 1 while the trail cannot be written
  Gauge& pending;            // orion_memory_pending_records: accepted, not yet durable
  // The head, exported so something outside this host (Prometheus) witnesses it.
  Gauge& head_seq;          // orion_memory_head_seq
  Gauge& head_hash_prefix;  // orion_memory_head_hash_prefix: first 48 bits of the head hash
  // Segments and retention.
  Gauge& segments;             // orion_memory_segments
  Gauge& trail_bytes;          // orion_memory_trail_bytes
  Counter& rotations;          // orion_memory_rotations_total
  Counter& retention_deleted;  // orion_memory_retention_deleted_segments_total
  Counter& repairs;            // orion_memory_repairs_total: torn tails cut off at start
  Counter& integrity;          // orion_memory_integrity_problems_total: missing/mismatched records
  // The index.
  Gauge& index_lag;       // orion_memory_index_lag_records: durable records not yet indexed
  Counter& index_errors;  // orion_memory_index_errors_total

  // orion_memory_records_total{type}: records appended by contract type (registered on use).
  Counter& recordsOf(std::string_view type);
};

}  // namespace orion::memory
