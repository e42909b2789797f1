#include "redis_stats.h"

#include <sys/resource.h>

#include <regex>
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
