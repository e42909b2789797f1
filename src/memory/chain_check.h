// The checks `orion audit verify` makes of each record (docs/audit_log_format.md, "Verifying a
// trail", step 3), over a run of consecutive records: its layout, its hash or HMAC, its links to
// the record before it (seq + 1, prev, recorded_at never going back, no hash after an HMAC), the
// segment's first seq, and what memory's own records say.
//
// A run either follows a record whose chain value is known (ChainTip), begins the trail (its
// first record must follow genesis or a retention checkpoint), or begins somewhere unknown: a
// chunk checked in parallel with the ones before it. Then its first record's links are left to
// the caller, who checks them against the previous chunk's tip (RunStart). A run that has checked
// every record clean thus says the same as a single pass would have, given the links hold.
//
// One ChainChecker per thread (it owns its hashers). Pure apart from that: no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "memory/chain_hasher.h"
#include "memory/memory.h"
#include "memory/trail_files.h"

namespace orion::memory {

// What the checks know before reading any record.
struct ChainContext {
  std::optional<std::string> key;       // the trail's HMAC key, if given
  std::vector<Checkpoint> checkpoints;  // oldest first
  std::optional<uint64_t> head_seq;     // the head's seq, to find the record it names
  bool deep = false;                    // also parse each record and check its canonical form
};

// The last record checked: what the next one must follow.
struct ChainTip {
  uint64_t seq = 0;
  std::string hash;         // hex chain value
  std::string recorded_at;  // as stored
  bool seen_keyed = false;  // this record or one before it carried an HMAC
};

// The first record of a run that began somewhere unknown: what the record before it must be.
struct RunStart {
  uint64_t seq = 0;
  std::string prev;
  std::string recorded_at;
};

// What a run found, to be added to a VerifyReport in trail order.
struct RunFindings {
  uint64_t records = 0;  // records that passed every check
  uint64_t keyed_records = 0;
  uint64_t unauthenticated_records = 0;
  uint64_t first_seq = 0;          // of the trail, when the run began it
  std::optional<Finding> failure;  // the first thing wrong (an audit.integrity record need not
                                   // stop the run; anything else does)
  std::vector<Finding> repairs;    // memory's own records, in order
  std::optional<std::string> hash_at_head;
  std::optional<RunStart> start;  // set when the run began somewhere unknown
  bool any_unkeyed = false;       // a record without an HMAC passed
};

class ChainChecker {
 public:
  enum class Begins { kTrail, kAfterTip, kUnknown };

  // `tip` is used with Begins::kAfterTip only.
  ChainChecker(const ChainContext& context, Begins begins, ChainTip tip = {});

  // Checks one record (a line without '\n', at `offset` of `segment`). False when the chain
  // cannot be followed past it: findings().failure says why, and the run stops there.
  bool check(std::string_view line, const std::string& segment, uint64_t offset,
             bool first_in_segment, uint64_t segment_first_seq);

  // Whether any record was checked, and the last one.
  bool started() const { return begins_ == Begins::kAfterTip; }
  const ChainTip& tip() const { return tip_; }
  const RunFindings& findings() const { return findings_; }

 private:
  // The first record of the trail: seq 1 after genesis, or what a retention checkpoint anchors.
  std::optional<std::string> trailStartProblem(uint64_t seq, std::string_view prev,
                                               std::string_view hash) const;
  void noteMemoryRecord(std::string_view line, const std::string& segment, uint64_t offset);
  bool fail(uint64_t seq, const std::string& segment, uint64_t offset, std::string what);

  const ChainContext& context_;
  ChainHasher keyed_;
  ChainHasher plain_;
  Begins begins_;
  ChainTip tip_;
  RunFindings findings_;
};

}  // namespace orion::memory
