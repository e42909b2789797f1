// Fuzz target: arbitrary bytes as an audit record line, and as the segments of an audit trail.
//
// Oracles, beyond "no crash, no hang, no sanitizer report":
//  * the JSON writer (common/json_writer.h) writes what nlohmann writes, for the bytes as a string
//  and for any
//    document a line parses to; a record that parses rebuilds to the same body;
//  * a parsed record's view agrees with it;
//  * verifying the bytes as a trail gives the same report with one thread over whole segments
//    and with several threads over chunks of a few bytes.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "common/json.h"
#include "common/json_writer.h"
#include "fuzz_check.h"
#include "memory/audit_record.h"
#include "memory/index_fields.h"
#include "memory/memory.h"
#include "memory/segments.h"
#include "testing/temp_dir.h"

namespace {

using namespace orion;
using namespace orion::memory;

std::string describe(const Result<VerifyReport>& result) {
  if (!result) return "error: " + result.status().toString();
  const VerifyReport& r = *result;
  std::string out = std::to_string(r.ok) + " " + std::to_string(r.records) + " " +
                    std::to_string(r.first_seq) + " " + std::to_string(r.last_seq) + " " +
                    std::to_string(r.keyed_records) + "\n";
  auto finding = [&](const Finding& f) {
    out += std::to_string(f.seq) + "@" + f.segment + ":" + std::to_string(f.offset) + " " + f.what +
           "\n";
  };
  if (r.failure) finding(*r.failure);
  for (const Finding& f : r.repairs) finding(f);
  for (const std::string& note : r.notes) out += note + "\n";
  return out;
}

// The reference the JSON writer (common/json_writer.h) must match byte for byte.
std::string nlohmannDump(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

void checkLine(std::string_view line) {
  std::string escaped;
  appendJsonString(escaped, line);
  FUZZ_CHECK(escaped == nlohmannDump(Json(std::string(line))),
             "a string serialises as nlohmann writes it");

  Result<RecordView> view = viewRecord(line);
  Result<AuditRecord> record = parseRecord(line);
  if (!record) return;
  FUZZ_CHECK(static_cast<bool>(view), "a record that parses has a view");
  FUZZ_CHECK(view->seq == record->seq && view->hash == record->hash, "view and record agree");
  IndexFields fields = indexFieldsOf(record->type, record->document, record->node);
  FUZZ_CHECK(fields.node == record->node, "the index keeps the record's node");
  std::string canonical;
  appendJson(canonical, record->document);
  FUZZ_CHECK(canonical == nlohmannDump(record->document),
             "a document serialises as nlohmann writes it");
  RecordRest rest =
      buildRecordRest(record->node, record->type, record->id, record->entry_id, record->document);
  FUZZ_CHECK(rest.text == formatRecordRest(record->node, record->type, record->id, record->entry_id,
                                           dumpJson(record->document)),
             "the record's bytes after recorded_at are built as formatRecordRest builds them");
}

// A directory of its own, emptied for each input.
const std::filesystem::path& trailDir() {
  static const testing::TempDir dir("audit-fuzz");
  return dir.path();
}

void checkTrail(std::string_view bytes) {
  const std::filesystem::path& dir = trailDir();
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  // Two segments, cut after the line holding the middle byte, named after their first seq.
  size_t cut = bytes.find('\n', bytes.size() / 2);
  cut = cut == std::string_view::npos ? bytes.size() : cut + 1;
  uint64_t second_first = 1;
  for (char c : bytes.substr(0, cut)) second_first += c == '\n';
  for (auto [first, part] : {std::pair<uint64_t, std::string_view>{1, bytes.substr(0, cut)},
                             {second_first, bytes.substr(cut)}}) {
    if (part.empty() && first != 1) continue;
    std::ofstream(dir / segmentName(first), std::ios::binary) << part;
  }
  TrailOptions trail{dir, std::string("a key of sixteen bytes or more")};
  VerifyOptions whole;
  whole.threads = 1;
  whole.chunk_bytes = UINT64_MAX;
  std::string expected = describe(verifyTrail(trail, whole));
  for (auto [threads, chunk_bytes] : {std::pair<unsigned, uint64_t>{2, 7}, {3, 61}, {2, 400}}) {
    VerifyOptions chunked;
    chunked.threads = threads;
    chunked.chunk_bytes = chunk_bytes;
    FUZZ_CHECK(describe(verifyTrail(trail, chunked)) == expected,
               "chunked verification reports what one pass reports");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  size_t newline = bytes.find('\n');
  checkLine(bytes.substr(0, newline));
  checkTrail(bytes);
  return 0;
}
