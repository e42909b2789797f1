// `orion audit …` run in-process on a trail written by the real writer: exit codes, the JSON each
// subcommand prints with --output json, and the text forms.
#include <gtest/gtest.h>

#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "trail_harness.h"

namespace orion::memory {
namespace {

using namespace std::chrono_literals;
using testing::readFile;

struct CliRun {
  int code = 0;
  std::string out;
  std::string err;
};

CliRun orionCli(std::vector<std::string> args) {
  args.insert(args.begin(), "orion");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  std::ostringstream out, err;
  std::streambuf* old_out = std::cout.rdbuf(out.rdbuf());
  std::streambuf* old_err = std::cerr.rdbuf(err.rdbuf());
  int code = cli::runCli(static_cast<int>(argv.size()), argv.data());
  std::cout.rdbuf(old_out);
  std::cerr.rdbuf(old_err);
  return {code, out.str(), err.str()};
}

Json parsed(const std::string& text) {
  Result<Json> json = parseJson(text);
  EXPECT_TRUE(json) << text;
  return json ? *json : Json();
}

class AuditCliTest : public ::testing::Test, public testing::TrailHarness {
 protected:
  void SetUp() override {
    auto writer = open();
    std::string later = formatRfc3339(clock.now() + 1h);
    for (auto [type, doc] : std::vector<std::pair<std::string, Json>>{
             {"event", testing::eventDoc("e1", "jellyfin")},
             {"incident", testing::incidentDoc("i1", {"e1"})},
             {"decision", testing::decisionDoc("d1", "i1")},
             {"approval_request", testing::approvalRequestDoc("r1", "d1", later)},
             {"approval_decision", testing::approvalDecisionDoc("a1", "r1", "d1")},
             {"action", testing::actionDoc("x1", "d1")},
             {"outcome", testing::outcomeDoc("o1", "x1")},
             {"event", testing::eventDoc("e2, \"quoted\"")}}) {
      append(*writer, type, doc);
      clock.advance(1min);
    }
    writer->close(clock.monotonic());
  }
  std::string trail() const { return dir().string(); }
};

TEST_F(AuditCliTest, VerifyReportsOkAndTheFirstProblem) {
  CliRun ok = orionCli({"audit", "verify", "--trail", trail(), "--output", "json"});
  EXPECT_EQ(ok.code, 0) << ok.out << ok.err;
  Json report = parsed(ok.out);
  EXPECT_EQ(report["ok"], true);
  EXPECT_EQ(report["records"], 8);
  EXPECT_EQ(report["head"]["seq"], 8);
  EXPECT_TRUE(report["failure"].is_null());

  CliRun text = orionCli({"audit", "verify", "--trail", trail()});
  EXPECT_EQ(text.code, 0);
  EXPECT_EQ(text.out.rfind("ok: 8 records (seq 1 to 8)", 0), 0u) << text.out;

  editFile(lastSegment(), [](std::string& t) { t[t.find("jellyfin")] = 'J'; });
  CliRun bad = orionCli({"audit", "verify", "--trail", trail(), "--output", "json"});
  EXPECT_EQ(bad.code, 1);
  Json failed = parsed(bad.out);
  EXPECT_EQ(failed["ok"], false);
  EXPECT_EQ(failed["failure"]["seq"], 1);
  EXPECT_EQ(failed["failure"]["segment"], segments().front().name);
  CliRun bad_text = orionCli({"audit", "verify", "--trail", trail()});
  EXPECT_NE(bad_text.out.find("FAILED"), std::string::npos);
  EXPECT_NE(bad_text.out.find("first problem at seq 1"), std::string::npos) << bad_text.out;
}

TEST_F(AuditCliTest, VerifyFindsTheTrailOfAStateDirectory) {
  std::filesystem::path state = temp.path();  // the harness's trail is <temp>/audit
  CliRun run = orionCli({"audit", "verify", "--state-dir", state.string(), "--output", "json"});
  EXPECT_EQ(run.code, 0) << run.out << run.err;
  EXPECT_EQ(parsed(run.out)["trail"], trail());
  CliRun none = orionCli({"audit", "verify", "--state-dir", (temp.path() / "nope").string()});
  EXPECT_EQ(none.code, 1);
  EXPECT_NE(none.err.find("no audit trail in"), std::string::npos) << none.err;
}

TEST_F(AuditCliTest, QueryByIncidentPrintsTheWholeChainInOrder) {
  CliRun run =
      orionCli({"audit", "query", "--trail", trail(), "--incident", "i1", "--output", "json"});
  EXPECT_EQ(run.code, 0) << run.err;
  Json out = parsed(run.out);
  EXPECT_EQ(out["found"], true);
  for (auto [part, seq] : std::vector<std::pair<std::string, int>>{{"events", 1},
                                                                   {"incidents", 2},
                                                                   {"decisions", 3},
                                                                   {"approval_requests", 4},
                                                                   {"approvals", 5},
                                                                   {"actions", 6},
                                                                   {"outcomes", 7}}) {
    ASSERT_EQ(out["chain"][part].size(), 1u) << part;
    EXPECT_EQ(out["chain"][part][0]["seq"], seq) << part;
  }
  CliRun text = orionCli({"audit", "query", "--trail", trail(), "--incident", "i1"});
  EXPECT_EQ(std::count(text.out.begin(), text.out.end(), '\n'), 7);
  EXPECT_NE(text.out.find("outcome  o1  succeeded"), std::string::npos) << text.out;
  CliRun missing = orionCli({"audit", "query", "--trail", trail(), "--incident", "zzz"});
  EXPECT_EQ(missing.code, 1);
}

TEST_F(AuditCliTest, QueryFiltersAndReconciliation) {
  Json events = parsed(
      orionCli({"audit", "query", "--trail", trail(), "--type", "event", "--output", "json"}).out);
  EXPECT_EQ(events["count"], 2);
  Json service = parsed(
      orionCli({"audit", "query", "--trail", trail(), "--service", "jellyfin", "--output", "json"})
          .out);
  EXPECT_EQ(service["count"], 2) << "the event and the action";
  Json newest = parsed(orionCli({"audit", "query", "--trail", trail(), "--limit", "2", "--newest",
                                 "--output", "json"})
                           .out);
  ASSERT_EQ(newest["records"].size(), 2u);
  EXPECT_EQ(newest["records"][0]["seq"], 7) << "oldest first on screen";
  EXPECT_EQ(newest["records"][1]["seq"], 8);
  Json since = parsed(orionCli({"audit", "query", "--trail", trail(), "--since",
                                "2026-01-14T12:06:00Z", "--output", "json"})
                          .out);
  EXPECT_EQ(since["count"], 2);
  Json open = parsed(
      orionCli({"audit", "query", "--trail", trail(), "--open-incidents", "--output", "json"}).out);
  EXPECT_EQ(open["count"], 1);
  Json outcome = parsed(
      orionCli({"audit", "query", "--trail", trail(), "--latest-outcome", "x1", "--output", "json"})
          .out);
  ASSERT_EQ(outcome["count"], 1);
  EXPECT_EQ(outcome["records"][0]["document"]["outcome_id"], "o1");
  Json pending = parsed(
      orionCli({"audit", "query", "--trail", trail(), "--pending-approvals", "--output", "json"})
          .out);
  EXPECT_EQ(pending["count"], 0) << "r1 was answered";

  CliRun bad = orionCli({"audit", "query", "--trail", trail(), "--since", "yesterday"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("--since: 'yesterday' is neither"), std::string::npos) << bad.err;
}

TEST_F(AuditCliTest, TailPrintsTheLastRecords) {
  CliRun run = orionCli({"audit", "tail", "--trail", trail(), "-n", "2", "--output", "json"});
  EXPECT_EQ(run.code, 0) << run.err;
  std::istringstream lines(run.out);
  std::string first, second;
  std::getline(lines, first);
  std::getline(lines, second);
  EXPECT_EQ(parsed(first)["seq"], 7);
  EXPECT_EQ(parsed(second)["seq"], 8);
  CliRun text = orionCli({"audit", "tail", "--trail", trail()});
  EXPECT_EQ(std::count(text.out.begin(), text.out.end(), '\n'), 8);
}

TEST_F(AuditCliTest, ExportWritesJsonlAsStoredAndCsv) {
  std::filesystem::path jsonl = temp.path() / "out.jsonl";
  CliRun run = orionCli(
      {"audit", "export", "--trail", trail(), "--file", jsonl.string(), "--output", "json"});
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(parsed(run.out)["records"], 8);
  std::string stored;
  for (const SegmentInfo& s : segments()) stored += readFile(dir() / s.name);
  EXPECT_EQ(readFile(jsonl), stored) << "the records exactly as stored, hashes and all";

  CliRun csv =
      orionCli({"audit", "export", "--trail", trail(), "--format", "csv", "--type", "event"});
  EXPECT_EQ(csv.code, 0) << csv.err;
  EXPECT_EQ(csv.out.rfind("seq,recorded_at,node,type,id,entry_id,service,hash,document\r\n", 0),
            0u);
  EXPECT_EQ(std::count(csv.out.begin(), csv.out.end(), '\n'), 3);
  EXPECT_NE(csv.out.find(",\"e2, \"\"quoted\"\"\","), std::string::npos) << csv.out;
}

TEST_F(AuditCliTest, ReindexRebuildsTheIndex) {
  CliRun run = orionCli({"audit", "reindex", "--trail", trail(), "--output", "json"});
  EXPECT_EQ(run.code, 0) << run.err;
  Json out = parsed(run.out);
  EXPECT_EQ(out["records"], 8);
  EXPECT_GT(out["index_bytes"], 0);
  CliRun text = orionCli({"audit", "reindex", "--trail", trail()});
  EXPECT_EQ(text.out.rfind("indexed 8 records", 0), 0u) << text.out;
}

}  // namespace
}  // namespace orion::memory
