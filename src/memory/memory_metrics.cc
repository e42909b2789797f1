#include "memory/memory_metrics.h"

namespace orion::memory {
namespace {

std::vector<double> batchBuckets() { return {1, 4, 16, 64, 256, 1024, 4096, 16384, 65536}; }

}  // namespace

MemoryMetrics::MemoryMetrics(MetricsRegistry& r)
    : registry(r),
      appended(r.counter("orion_memory_appended_records_total", "Audit records made durable")),
      duplicates(r.counter("orion_memory_duplicates_total",
                           "Redelivered or republished documents already in the audit trail")),
      batches(r.counter("orion_memory_batches_total", "Durable (fdatasync'd) batches of records")),
      batch_records(r.histogram("orion_memory_batch_records", "Records per durable batch", {},
                                batchBuckets())),
      sync_seconds(
          r.histogram("orion_memory_sync_seconds", "Time to write and fdatasync one batch")),
      write_errors(r.counter("orion_memory_write_errors_total",
                             "Failed writes or syncs of the audit trail (retried)")),
      degraded(r.gauge("orion_memory_degraded", "1 while the audit trail cannot be written")),
      pending(r.gauge("orion_memory_pending_records", "Records accepted but not yet durable")),
      head_seq(r.gauge("orion_memory_head_seq", "Seq of the last durable audit record")),
      head_hash_prefix(r.gauge("orion_memory_head_hash_prefix",
                               "First 48 bits of the last durable record's hash, as a number")),
      segments(r.gauge("orion_memory_segments", "Segment files in the audit trail")),
      trail_bytes(r.gauge("orion_memory_trail_bytes", "Bytes in the audit trail's segments")),
      rotations(r.counter("orion_memory_rotations_total", "Segments started")),
      retention_deleted(r.counter("orion_memory_retention_deleted_segments_total",
                                  "Old segments deleted by retention")),
      repairs(
          r.counter("orion_memory_repairs_total", "Torn tails cut off the audit trail at start")),
      integrity(r.counter("orion_memory_integrity_problems_total",
                          "Records found missing or not matching the head at start")),
      index_lag(r.gauge("orion_memory_index_lag_records", "Durable records not yet indexed")),
      index_errors(r.counter("orion_memory_index_errors_total", "Failed index updates (retried)")) {
}

Counter& MemoryMetrics::recordsOf(std::string_view type) {
  return registry.counter("orion_memory_records_total", "Audit records appended, by type",
                          {{"type", std::string(type)}});
}

}  // namespace orion::memory
