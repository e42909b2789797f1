#include "redis_stats.h"

#include <sys/resource.h>

#include <cctype>
#include <regex>
#include <sstream>
#include <string>

namespace orion::bench {

uint64_t redisCommandCalls(const testing::RedisServer& redis) {
  uint64_t total = 0;
  for (const auto& [name, calls] : redisCommandCallsByName(redis)) total += calls;
  return total;
}

std::map<std::string, uint64_t> redisCommandCallsByName(const testing::RedisServer& redis) {
  std::map<std::string, uint64_t> by_name;
  auto info = redis.cli({"INFO", "commandstats"});
  if (!info) return by_name;
  std::regex calls(R"(cmdstat_([^:]+):calls=(\d+))");
  for (std::sregex_iterator it(info->begin(), info->end(), calls), end; it != end; ++it) {
    by_name[(*it)[1]] += std::stoull((*it)[2]);
  }
  return by_name;
}

namespace {

// The numbers after each line `field` of redis-cli's raw reply (a flat list of field, value).
uint64_t sumField(const std::string& reply, const std::string& field) {
  uint64_t total = 0;
  std::istringstream lines(reply);
  std::string line;
  while (std::getline(lines, line)) {
    if (line != field || !std::getline(lines, line)) continue;
    if (!line.empty() && std::isdigit(static_cast<unsigned char>(line[0])))
      total += std::stoull(line);
  }
  return total;
}

}  // namespace

StreamEntries redisStreamEntries(const testing::RedisServer& redis, const std::string& prefix) {
  StreamEntries entries;
  auto keys = redis.cli({"KEYS", prefix + ":*"});
  if (!keys) return entries;
  std::istringstream names(*keys);
  std::string key;
  while (std::getline(names, key)) {
    auto type = redis.cli({"TYPE", key});
    if (!type || *type != "stream") continue;
    if (auto stream = redis.cli({"XINFO", "STREAM", key})) {
      entries.added += sumField(*stream, "entries-added");
    }
    if (auto groups = redis.cli({"XINFO", "GROUPS", key})) {
      entries.read += sumField(*groups, "entries-read");
    }
  }
  return entries;
}

double redisCpuSeconds(const testing::RedisServer& redis) {
  auto info = redis.cli({"INFO", "cpu"});
  if (!info) return 0;
  double total = 0;
  std::regex used(R"(used_cpu_(user|sys):([0-9.]+))");
  for (std::sregex_iterator it(info->begin(), info->end(), used), end; it != end; ++it) {
    total += std::stod((*it)[2]);
  }
  return total;
}

double processCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

}  // namespace orion::bench
