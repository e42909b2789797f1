// Reading the replies of the stream commands the Redis bus sends (RESP2 shapes, Redis ≥ 7.0).
// Pure functions of a hiredis reply, so they are tested on replies built from RESP bytes without
// a server. A reply of an unexpected shape is kInternal naming the command; a Redis error reply
// is the caller's to check first (replyError). Internal to the Redis bus.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bus/redis_connection.h"
#include "common/status.h"

namespace orion::bus {

// One stream entry as read from Redis.
struct StreamEntry {
  std::string id;                   // "<ms>-<seq>"
  bool deleted = false;             // still pending, but trimmed from the stream: no fields
  std::optional<std::string> data;  // the `data` field (the JSON document), when present
  std::string fields;  // no `data`: every field as one JSON object text, for the dead letter
};

// XREADGROUP ... STREAMS <one key> <id>: nil (nothing new) or [[key, [entry, ...]]].
Result<std::vector<StreamEntry>> parseReadReply(const redisReply* reply);

// XAUTOCLAIM: [next cursor, [entry, ...], [deleted id, ...]].
struct ClaimReply {
  std::string cursor;
  std::vector<StreamEntry> entries;
  std::vector<std::string> deleted;
};
Result<ClaimReply> parseClaimReply(const redisReply* reply);

// XPENDING <key> <group> <start> <end> <count> [consumer]: [[id, consumer, idle, deliveries]].
// Returns (id, deliveries) pairs.
Result<std::vector<std::pair<std::string, int64_t>>> parsePendingCounts(const redisReply* reply);

// XINFO GROUPS <key>: one map per group.
struct GroupInfo {
  std::string name;
  uint64_t pending = 0;
  std::optional<uint64_t> lag;  // nil when Redis cannot tell (after deletions)
  std::string last_delivered_id;
};
Result<std::vector<GroupInfo>> parseGroupsInfo(const redisReply* reply);

// XINFO STREAM <key>: its last-generated-id.
Result<std::string> parseLastGeneratedId(const redisReply* reply);

}  // namespace orion::bus
