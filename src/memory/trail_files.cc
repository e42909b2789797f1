#include "memory/trail_files.h"

#include "common/json.h"
#include "memory/segments.h"

namespace orion::memory {
namespace {

std::string headText(const Head& head) {
  return "orion-audit-head\n" + std::to_string(head.seq) + "\n" + head.hash + "\n" + head.segment +
         "\n" + head.updated_at + "\n";
}

std::string checkpointText(const Checkpoint& c) {
  return "orion-audit-checkpoint\n" + std::to_string(c.first_seq) + "\n" + c.prev + "\n" +
         c.first_hash + "\n" + c.at + "\n";
}

// The check of `text`: keyed files need a keyed hasher; plain ones are checked with SHA-256 even
// when a key is at hand (a trail that got its key later still has plain files until rewritten).
Result<std::string> checkOf(const std::string& text, bool keyed, const ChainHasher& hasher,
                            const std::filesystem::path& file) {
  if (!keyed) return hexDigest(ChainHasher::sha256(text));
  if (!hasher.keyed()) {
    return failedPrecondition(file.string() +
                              " is protected by an HMAC key; give the key (memory.hmac_key_file "
                              "or --key-file) to check it");
  }
  return hexDigest(hasher.hash(text));
}

Status damaged(const std::filesystem::path& file, std::string_view why) {
  return {StatusCode::kDataLoss, file.string() + ": " + std::string(why)};
}

template <typename T>
bool field(const Json& json, const char* name, T& out) {
  auto it = json.find(name);
  if (it == json.end()) return false;
  try {
    out = it->get<T>();
  } catch (const Json::exception&) {
    return false;
  }
  return true;
}

Result<Json> readJsonFile(AuditFs& fs, const std::filesystem::path& file) {
  Result<std::optional<std::string>> text = fs.readWhole(file);
  if (!text) return text.status();
  if (!text->has_value()) return Json();  // null: absent
  Result<Json> json = parseJson(**text);
  if (!json || !json->is_object()) return damaged(file, "not a JSON object");
  return json;
}

Json checkpointJson(const Checkpoint& c, const std::string& check) {
  return Json{{"first_seq", c.first_seq},
              {"prev", c.prev},
              {"first_hash", c.first_hash},
              {"deleted_records", c.deleted_records},
              {"deleted_segments", c.deleted_segments},
              {"at", c.at},
              {"reason", c.reason},
              {"keyed", c.keyed},
              {"check", check}};
}

}  // namespace

Status writeHead(AuditFs& fs, const std::filesystem::path& dir, const Head& head,
                 const ChainHasher& hasher, bool durable) {
  Head written = head;
  written.keyed = hasher.keyed();
  Result<std::string> check = checkOf(headText(written), written.keyed, hasher, dir / kHeadFile);
  if (!check) return check.status();
  Json json = {{"version", 1},
               {"seq", written.seq},
               {"hash", written.hash},
               {"segment", written.segment},
               {"updated_at", written.updated_at},
               {"keyed", written.keyed},
               {"check", *check}};
  return fs.writeAtomic(dir / kHeadFile, dumpJson(json) + "\n", durable);
}

Result<std::optional<Head>> readHead(AuditFs& fs, const std::filesystem::path& dir,
                                     const ChainHasher& hasher) {
  std::filesystem::path file = dir / kHeadFile;
  Result<Json> json = readJsonFile(fs, file);
  if (!json) return json.status();
  if (json->is_null()) return std::optional<Head>();
  Head head;
  std::string check;
  if (!field(*json, "seq", head.seq) || !field(*json, "hash", head.hash) ||
      !field(*json, "segment", head.segment) || !field(*json, "updated_at", head.updated_at) ||
      !field(*json, "keyed", head.keyed) || !field(*json, "check", check)) {
    return damaged(file, "missing or mistyped seq, hash, segment, updated_at, keyed or check");
  }
  Result<std::string> expected = checkOf(headText(head), head.keyed, hasher, file);
  if (!expected) return expected.status();
  if (*expected != check) {
    return damaged(file, head.keyed ? "its HMAC does not match (damaged, forged, or another key)"
                                    : "its check does not match (damaged or edited)");
  }
  return std::optional<Head>(std::move(head));
}

Status appendCheckpoint(AuditFs& fs, const std::filesystem::path& dir, const Checkpoint& checkpoint,
                        const ChainHasher& hasher) {
  Result<std::vector<Checkpoint>> existing = readCheckpoints(fs, dir, hasher);
  if (!existing) return existing.status();
  existing->push_back(checkpoint);
  Json entries = Json::array();
  for (Checkpoint& c : *existing) {
    if (&c == &existing->back()) c.keyed = hasher.keyed();
    Result<std::string> check = checkOf(checkpointText(c), c.keyed, hasher, dir / kCheckpointFile);
    if (!check) return check.status();
    entries.push_back(checkpointJson(c, *check));
  }
  Json json = {{"version", 1}, {"checkpoints", std::move(entries)}};
  return fs.writeAtomic(dir / kCheckpointFile, dumpJson(json) + "\n", /*durable=*/true);
}

Result<std::vector<Checkpoint>> readCheckpoints(AuditFs& fs, const std::filesystem::path& dir,
                                                const ChainHasher& hasher) {
  std::filesystem::path file = dir / kCheckpointFile;
  Result<Json> json = readJsonFile(fs, file);
  if (!json) return json.status();
  std::vector<Checkpoint> out;
  if (json->is_null()) return out;
  auto entries = json->find("checkpoints");
  if (entries == json->end() || !entries->is_array()) return damaged(file, "no 'checkpoints' list");
  for (const Json& entry : *entries) {
    Checkpoint c;
    std::string check;
    if (!entry.is_object() || !field(entry, "first_seq", c.first_seq) ||
        !field(entry, "prev", c.prev) || !field(entry, "first_hash", c.first_hash) ||
        !field(entry, "at", c.at) || !field(entry, "keyed", c.keyed) ||
        !field(entry, "check", check)) {
      return damaged(file, "checkpoint " + std::to_string(out.size() + 1) +
                               " lacks first_seq, prev, first_hash, at, keyed or check");
    }
    field(entry, "deleted_records", c.deleted_records);
    field(entry, "deleted_segments", c.deleted_segments);
    field(entry, "reason", c.reason);
    Result<std::string> expected = checkOf(checkpointText(c), c.keyed, hasher, file);
    if (!expected) return expected.status();
    if (*expected != check) {
      return damaged(file, "checkpoint " + std::to_string(out.size() + 1) +
                               ": its check does not match (damaged, edited or another key)");
    }
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace orion::memory
