#include "bus/redis_reply.h"

#include <charconv>

#include "common/json.h"

namespace orion::bus {
namespace {

Status unexpected(std::string_view command) {
  return internalError("unexpected reply to " + std::string(command));
}

bool isArray(const redisReply* reply) {
  return reply != nullptr && reply->type == REDIS_REPLY_ARRAY;
}

// [id, [field, value, ...]] or [id, nil].
Result<StreamEntry> parseEntry(const redisReply* reply, std::string_view command) {
  if (replySize(reply) != 2) return unexpected(command);
  StreamEntry entry;
  entry.id = std::string(replyText(replyAt(reply, 0)));
  if (entry.id.empty()) return unexpected(command);
  const redisReply* fields = replyAt(reply, 1);
  if (isNil(fields)) {
    entry.deleted = true;
    return entry;
  }
  if (!isArray(fields) || fields->elements % 2 != 0) return unexpected(command);
  for (size_t i = 0; i + 1 < fields->elements; i += 2) {
    if (replyText(fields->element[i]) == "data") {
      entry.data = std::string(replyText(fields->element[i + 1]));
      return entry;
    }
  }
  // No `data`: every field, for the dead letter that will say so.
  Json all = Json::object();
  for (size_t i = 0; i + 1 < fields->elements; i += 2) {
    all[std::string(replyText(fields->element[i]))] = replyText(fields->element[i + 1]);
  }
  entry.fields = dumpJson(all);
  return entry;
}

Result<std::vector<StreamEntry>> parseEntryList(const redisReply* reply, std::string_view command) {
  if (!isArray(reply)) return unexpected(command);
  std::vector<StreamEntry> entries;
  entries.reserve(reply->elements);
  for (size_t i = 0; i < reply->elements; ++i) {
    Result<StreamEntry> entry = parseEntry(reply->element[i], command);
    if (!entry) return entry.status();
    entries.push_back(std::move(entry).value());
  }
  return entries;
}

std::optional<uint64_t> unsignedOf(const redisReply* reply) {
  if (reply == nullptr) return std::nullopt;
  if (reply->type == REDIS_REPLY_INTEGER) {
    return reply->integer < 0 ? 0 : static_cast<uint64_t>(reply->integer);
  }
  std::string_view text = replyText(reply);
  uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

Result<std::vector<StreamEntry>> parseReadReply(const redisReply* reply) {
  if (isNil(reply)) return std::vector<StreamEntry>{};
  if (!isArray(reply)) return unexpected("XREADGROUP");
  std::vector<StreamEntry> entries;
  for (size_t i = 0; i < reply->elements; ++i) {
    const redisReply* stream = reply->element[i];
    if (replySize(stream) != 2) return unexpected("XREADGROUP");
    Result<std::vector<StreamEntry>> part = parseEntryList(replyAt(stream, 1), "XREADGROUP");
    if (!part) return part.status();
    for (auto& entry : *part) entries.push_back(std::move(entry));
  }
  return entries;
}

Result<ClaimReply> parseClaimReply(const redisReply* reply) {
  if (replySize(reply) < 2) return unexpected("XAUTOCLAIM");
  ClaimReply claim;
  claim.cursor = std::string(replyText(replyAt(reply, 0)));
  Result<std::vector<StreamEntry>> entries = parseEntryList(replyAt(reply, 1), "XAUTOCLAIM");
  if (!entries) return entries.status();
  claim.entries = std::move(entries).value();
  const redisReply* deleted = replyAt(reply, 2);
  for (size_t i = 0; i < replySize(deleted); ++i) {
    claim.deleted.emplace_back(replyText(deleted->element[i]));
  }
  return claim;
}

Result<std::vector<std::pair<std::string, int64_t>>> parsePendingCounts(const redisReply* reply) {
  if (!isArray(reply)) return unexpected("XPENDING");
  std::vector<std::pair<std::string, int64_t>> counts;
  for (size_t i = 0; i < reply->elements; ++i) {
    const redisReply* row = reply->element[i];
    if (replySize(row) != 4) return unexpected("XPENDING");
    counts.emplace_back(std::string(replyText(replyAt(row, 0))), replyInteger(replyAt(row, 3)));
  }
  return counts;
}

Result<std::vector<GroupInfo>> parseGroupsInfo(const redisReply* reply) {
  if (!isArray(reply)) return unexpected("XINFO GROUPS");
  std::vector<GroupInfo> groups;
  for (size_t i = 0; i < reply->elements; ++i) {
    const redisReply* map = reply->element[i];
    if (!isArray(map) || map->elements % 2 != 0) return unexpected("XINFO GROUPS");
    GroupInfo info;
    for (size_t j = 0; j + 1 < map->elements; j += 2) {
      std::string_view key = replyText(map->element[j]);
      const redisReply* value = map->element[j + 1];
      if (key == "name") info.name = std::string(replyText(value));
      if (key == "pending") info.pending = unsignedOf(value).value_or(0);
      if (key == "lag") info.lag = unsignedOf(value);
      if (key == "last-delivered-id") info.last_delivered_id = std::string(replyText(value));
    }
    groups.push_back(std::move(info));
  }
  return groups;
}

Result<std::string> parseLastGeneratedId(const redisReply* reply) {
  if (!isArray(reply) || reply->elements % 2 != 0) return unexpected("XINFO STREAM");
  for (size_t j = 0; j + 1 < reply->elements; j += 2) {
    if (replyText(reply->element[j]) == "last-generated-id") {
      return std::string(replyText(reply->element[j + 1]));
    }
  }
  return unexpected("XINFO STREAM");
}

}  // namespace orion::bus
