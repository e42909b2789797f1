// What the Redis benches read from the server and from their own process: command counts and
// CPU time, before and after a run.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "testing/redis_server.h"

namespace orion::bench {

// Total calls of every command so far (INFO commandstats).
uint64_t redisCommandCalls(const testing::RedisServer& redis);

// Calls so far of each command by name ("xreadgroup", "xack", ...), from INFO commandstats.
std::map<std::string, uint64_t> redisCommandCallsByName(const testing::RedisServer& redis);

// Stream entries handled so far on the streams named `<prefix>:*`: added to a stream (XADD), and
// read by consumer groups (XREADGROUP: each group's entries-read, XINFO GROUPS). What an entry
// costs Redis does not depend on how many come in one command, so these count Redis's work per
// event where command calls (a read of 100 entries is one call) do not.
struct StreamEntries {
  uint64_t added = 0;
  uint64_t read = 0;
};
StreamEntries redisStreamEntries(const testing::RedisServer& redis, const std::string& prefix);

// CPU seconds Redis has used so far (INFO cpu: used_cpu_user + used_cpu_sys).
double redisCpuSeconds(const testing::RedisServer& redis);

// CPU seconds this process has used so far, all threads.
double processCpuSeconds();

}  // namespace orion::bench
