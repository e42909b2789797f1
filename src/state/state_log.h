// The file format of a StateStore: a header, then an append-only sequence of records, one per
// applied batch (docs/audit_log_format.md, "The safety state's file").
//
//   header   the 16 bytes "ORION state log\n", then the format version (u32)
//   record   payload length (u32), CRC-32 of the payload (u32, zlib's polynomial), payload
//   payload  one or more writes: kind (u8: 1 put, 2 erase, 3 clear), table (u32 length, bytes),
//            for put and erase the key (u32 length, bytes), for put the JSON value (u32, bytes)
//
// Integers are little-endian. A record is written with one write(2), so a batch is in the file
// whole or, after a crash mid-write, as a torn last record that replay recognises and drops.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "state/state_store.h"

namespace orion::state::log {

inline constexpr std::string_view kMagic = "ORION state log\n";
inline constexpr uint32_t kVersion = 1;
inline constexpr size_t kHeaderBytes = 20;
inline constexpr size_t kRecordHeaderBytes = 8;

// One write as decoded from a record: views into the bytes being replayed.
struct WriteView {
  Write::Kind kind;
  std::string_view table;
  std::string_view key;
  std::string_view value;
};

void appendHeader(std::string& out);

// Appends one record holding `writes` to `out`. With `value_at`, also appends to it where in
// `out` the bytes of each put's value begin, in the order of the puts.
void appendRecord(std::span<const Write> writes, std::string& out,
                  std::vector<size_t>* value_at = nullptr);

// Appends one record of puts: a snapshot is written as such records. `value_at` as above.
void appendPutRecord(std::string_view table,
                     std::span<const std::pair<std::string_view, std::string_view>> rows,
                     std::string& out, std::vector<size_t>* value_at = nullptr);

struct Replayed {
  size_t good_bytes = 0;  // the header and every whole, intact record
  std::string torn_tail;  // why the bytes after good_bytes were dropped; empty if there were none
};

// Reads a whole file's bytes, calling `apply` with the writes of each intact record in order (a
// record's writes only once the whole record has been checked). A damaged last record (shorter
// than its length says, or failing its CRC with nothing but zero bytes after it) is a crash in
// the middle of an append: it is reported in `torn_tail`, not applied. Anything else that is not
// a valid log is kDataLoss: a file that is not a state log, one written by a newer ORION, or a
// damaged record followed by more data (the store cannot be trusted past it).
Result<Replayed> replay(std::string_view bytes,
                        const std::function<void(std::span<const WriteView>)>& apply);

}  // namespace orion::state::log
