// The read API over a real socket, on a trail written by the real memory service from documents
// published on the real embedded bus: lists, paging, filters, the incident detail, the errors.
#include "api_fixture.h"

namespace orion::api {
namespace {

using testing::ApiFixture;
using testing::Reply;
using testing::waitUntil;

std::vector<uint64_t> seqsOf(const Json& page) {
  std::vector<uint64_t> out;
  if (!page.contains("items") || !page["items"].is_array()) {
    ADD_FAILURE() << "not a page: " << page;
    return out;
  }
  for (const Json& item : page["items"]) out.push_back(item["seq"].get<uint64_t>());
  return out;
}

class ReadApiTest : public ApiFixture {
 protected:
  // Two incidents on node-a (one resolved later), one on node-b, with the chain of the first:
  //   1 event e1, 2 incident i1 (open), 3 decision, 4 action, 5 outcome, 6 event e2 (node-b),
  //   7 incident i2 (node-b), 8 incident i1 (resolved), 9 incident i3
  void writeTrail() {
    startMemory();
    startApi();
    contracts::Event e1 = event();
    publish("event", e1.toJson());
    ASSERT_TRUE(indexed(1));  // the streams are consumed side by side: keep the order fixed
    incident_ = incident({e1.event_id});
    publish("incident", incident_.toJson());
    ASSERT_TRUE(indexed(2));
    contracts::Decision d = decision(incident_.incident_id);
    decision_id_ = d.decision_id;
    publish("decision", d.toJson());
    ASSERT_TRUE(indexed(3));
    contracts::Action a = action(d.decision_id);
    action_id_ = a.action_id;
    publish("action", a.toJson());
    ASSERT_TRUE(indexed(4));
    publish("outcome", outcome(a.action_id).toJson());
    ASSERT_TRUE(indexed(5));
    contracts::Event e2 = event("nextcloud", "node-b");
    publish("event", e2.toJson());
    ASSERT_TRUE(indexed(6));
    contracts::Incident i2 = incident({e2.event_id}, contracts::IncidentState::kOpen, "", "node-b");
    i2_ = i2.incident_id;
    publish("incident", i2.toJson());
    ASSERT_TRUE(indexed(7));
    contracts::Incident resolved = incident_;
    resolved.state = contracts::IncidentState::kResolved;
    publish("incident", resolved.toJson());
    ASSERT_TRUE(indexed(8));
    contracts::Incident i3 = incident({e1.event_id});
    i3_ = i3.incident_id;
    publish("incident", i3.toJson());
    ASSERT_TRUE(indexed(9));
  }

  contracts::Incident incident_;
  std::string decision_id_, action_id_, i2_, i3_;
};

TEST_F(ReadApiTest, IncidentsListTheNewestVersionOfEachNewestFirst) {
  writeTrail();
  Reply all = get("/api/v1/incidents");
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_EQ(all.content_type, "application/json");
  EXPECT_EQ(seqsOf(all.body), (std::vector<uint64_t>{9, 8, 7})) << "one item per incident";
  EXPECT_TRUE(all.body["next"].is_null());
  const Json& newest = all.body["items"][1];
  EXPECT_EQ(newest["type"], "incident");
  EXPECT_EQ(newest["document"]["incident_id"], incident_.incident_id);
  EXPECT_EQ(newest["document"]["state"], "resolved");
  EXPECT_FALSE(newest["recorded_at"].get<std::string>().empty());

  EXPECT_EQ(seqsOf(get("/api/v1/incidents?state=open").body), (std::vector<uint64_t>{9, 7}));
  EXPECT_EQ(seqsOf(get("/api/v1/incidents?state=resolved").body), (std::vector<uint64_t>{8}));
  EXPECT_EQ(seqsOf(get("/api/v1/incidents?state=all&node=node-b").body),
            (std::vector<uint64_t>{7}));
  EXPECT_EQ(seqsOf(get("/api/v1/incidents?node=nowhere").body), std::vector<uint64_t>{});
}

TEST_F(ReadApiTest, PagesFollowTheCursorUntilNextIsNull) {
  writeTrail();
  std::vector<uint64_t> seen;
  std::string path = "/api/v1/audit?limit=4";
  int pages = 0;
  while (true) {
    Reply page = get(path);
    ASSERT_EQ(page.status, 200) << page.body;
    ++pages;
    for (uint64_t seq : seqsOf(page.body)) seen.push_back(seq);
    if (page.body["next"].is_null()) break;
    ASSERT_TRUE(page.body["next"].is_string());
    path = "/api/v1/audit?limit=4&cursor=" + page.body["next"].get<std::string>();
    ASSERT_LT(pages, 10);
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen, (std::vector<uint64_t>{9, 8, 7, 6, 5, 4, 3, 2, 1}));

  Reply incidents = get("/api/v1/incidents?limit=2");
  EXPECT_EQ(seqsOf(incidents.body), (std::vector<uint64_t>{9, 8}));
  Reply rest = get("/api/v1/incidents?limit=2&cursor=" + incidents.body["next"].get<std::string>());
  EXPECT_EQ(seqsOf(rest.body), (std::vector<uint64_t>{7}));
  EXPECT_TRUE(rest.body["next"].is_null());
}

TEST_F(ReadApiTest, AuditFiltersByTypeNodeServiceAndTime) {
  writeTrail();
  Reply events = get("/api/v1/audit?type=event");
  EXPECT_EQ(seqsOf(events.body), (std::vector<uint64_t>{6, 1}));
  const Json& record = events.body["items"][0];
  EXPECT_EQ(record["type"], "event");
  EXPECT_TRUE(record.contains("hash")) << "audit items are whole records: " << record;
  EXPECT_TRUE(record.contains("segment"));
  EXPECT_EQ(seqsOf(get("/api/v1/audit?type=event,outcome").body), (std::vector<uint64_t>{6, 5, 1}));
  EXPECT_EQ(seqsOf(get("/api/v1/audit?node=node-b").body), (std::vector<uint64_t>{7, 6}));
  EXPECT_EQ(seqsOf(get("/api/v1/audit?service=nextcloud").body), (std::vector<uint64_t>{6}));

  // since = the 5th record's time: exactly the records recorded at or after it.
  Json all = get("/api/v1/audit").body;
  std::string since = all["items"][4]["recorded_at"];  // seq 5
  std::vector<uint64_t> expected;
  for (const Json& item : all["items"]) {
    if (item["recorded_at"].get<std::string>() >= since) expected.push_back(item["seq"]);
  }
  EXPECT_EQ(seqsOf(get("/api/v1/audit?since=" + since).body), expected);
  std::vector<uint64_t> before;
  for (const Json& item : all["items"]) {
    if (item["recorded_at"].get<std::string>() < since) before.push_back(item["seq"]);
  }
  EXPECT_EQ(seqsOf(get("/api/v1/audit?until=" + since).body), before);
  EXPECT_EQ(seqsOf(get("/api/v1/audit?since=2200-01-01T00:00:00Z").body), std::vector<uint64_t>{});
}

TEST_F(ReadApiTest, DecisionsActionsAndOutcomesFollowTheirLinks) {
  writeTrail();
  Reply decisions = get("/api/v1/decisions?incident_id=" + incident_.incident_id);
  ASSERT_EQ(decisions.status, 200) << decisions.body;
  ASSERT_EQ(seqsOf(decisions.body), (std::vector<uint64_t>{3}));
  const Json& decision = decisions.body["items"][0]["document"];
  EXPECT_EQ(decision["reasoning"], "rule restart-on-outage matched; every gate allowed it");
  EXPECT_EQ(decision["tags"]["gate.autonomy"], "N2 allows SAFE actions") << "gates as they are";
  EXPECT_EQ(seqsOf(get("/api/v1/decisions?incident_id=" + i2_).body), std::vector<uint64_t>{});
  EXPECT_EQ(seqsOf(get("/api/v1/decisions").body), (std::vector<uint64_t>{3}));
  EXPECT_EQ(seqsOf(get("/api/v1/actions?decision_id=" + decision_id_).body),
            (std::vector<uint64_t>{4}));
  EXPECT_EQ(seqsOf(get("/api/v1/outcomes?action_id=" + action_id_).body),
            (std::vector<uint64_t>{5}));
  EXPECT_EQ(seqsOf(get("/api/v1/outcomes?action_id=" + decision_id_).body),
            std::vector<uint64_t>{});
}

TEST_F(ReadApiTest, AnIncidentComesWithItsWholeCausalChain) {
  writeTrail();
  Reply detail = get("/api/v1/incidents/" + incident_.incident_id);
  ASSERT_EQ(detail.status, 200) << detail.body;
  EXPECT_EQ(detail.body["incident"]["state"], "resolved") << "the newest version";
  EXPECT_EQ(seqsOf({{"items", detail.body["versions"]}}), (std::vector<uint64_t>{2, 8}));
  EXPECT_EQ(seqsOf({{"items", detail.body["events"]}}), (std::vector<uint64_t>{1}));
  EXPECT_EQ(seqsOf({{"items", detail.body["decisions"]}}), (std::vector<uint64_t>{3}));
  EXPECT_EQ(seqsOf({{"items", detail.body["actions"]}}), (std::vector<uint64_t>{4}));
  EXPECT_EQ(seqsOf({{"items", detail.body["outcomes"]}}), (std::vector<uint64_t>{5}));
  EXPECT_TRUE(detail.body["approval_requests"].empty());
  EXPECT_TRUE(detail.body["approvals"].empty());

  Reply unknown = get("/api/v1/incidents/" + newUuid());
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.body["error"]["code"], "not_found");
}

TEST_F(ReadApiTest, EveryMalformedParameterIsA400NamingIt) {
  startMemory();
  startApi();
  struct Case {
    std::string path;
    std::string field;
  };
  for (const Case& c : std::vector<Case>{
           {"/api/v1/incidents?limit=0", "limit"},
           {"/api/v1/incidents?limit=501", "limit"},
           {"/api/v1/incidents?limit=ten", "limit"},
           {"/api/v1/incidents?limit=", "limit"},
           {"/api/v1/audit?limit=5&limit=6", "limit"},
           {"/api/v1/incidents?state=closed", "state"},
           {"/api/v1/incidents?state=", "state"},
           {"/api/v1/incidents?since=2026-01-14T12:00:00", "since"},
           {"/api/v1/incidents?since=yesterday", "since"},
           {"/api/v1/audit?until=2026-01-14", "until"},
           {"/api/v1/audit?since=2026-01-14T12:00:00Z&until=2026-01-14T11:00:00Z", "until"},
           {"/api/v1/audit?cursor=abc", "cursor"},
           {"/api/v1/audit?cursor=s", "cursor"},
           {"/api/v1/audit?type=", "type"},
           {"/api/v1/audit?node=", "node"},
           {"/api/v1/audit?limt=5", "limt"},
           {"/api/v1/decisions?incident=x", "incident"},
           {"/api/v1/decisions?incident_id=", "incident_id"},
           {"/api/v1/status?verbose=1", "verbose"},
           {"/api/v1/stream?types=incident,bogus", "types"},
           {"/ready?x=1", "x"},
       }) {
    Reply reply = get(c.path);
    EXPECT_EQ(reply.status, 400) << c.path << " " << reply.body;
    EXPECT_EQ(reply.body["error"]["code"], "invalid_argument") << c.path;
    EXPECT_EQ(reply.body["error"]["field"], c.field) << c.path << " " << reply.body;
    EXPECT_FALSE(reply.body["error"]["message"].get<std::string>().empty()) << c.path;
  }
}

TEST_F(ReadApiTest, UnknownPathsAreJson404s) {
  startApi();
  for (std::string path : {"/api/v1/nope", "/api/v1/incidents/a/b", "/api/v2/status"}) {
    Reply reply = get(path);
    EXPECT_EQ(reply.status, 404) << path;
    EXPECT_EQ(reply.body["error"]["code"], "not_found") << path << " " << reply.body;
  }
}

TEST_F(ReadApiTest, WithoutATrailListsAreEmpty) {
  startApi();  // no memory: the trail does not exist
  for (std::string path : {"/api/v1/incidents", "/api/v1/audit", "/api/v1/decisions"}) {
    Reply reply = get(path);
    EXPECT_EQ(reply.status, 200) << path << " " << reply.body;
    EXPECT_TRUE(reply.body["items"].empty()) << path;
    EXPECT_TRUE(reply.body["next"].is_null()) << path;
  }
  EXPECT_EQ(get("/api/v1/incidents/" + newUuid()).status, 404);
}

TEST_F(ReadApiTest, StatusApprovalsAndPolicyComeFromTheRunningModules) {
  startMemory();
  startBrainAndApprovals();
  startApi();
  contracts::Event e = event();
  publish("event", e.toJson());
  publish("incident", incident({e.event_id}).toJson());
  ASSERT_TRUE(indexed(2));
  ASSERT_TRUE(waitUntil([&] { return get("/api/v1/status").body["incidents"]["open"] == 1; }));
  Reply status = get("/api/v1/status");
  ASSERT_EQ(status.status, 200) << status.body;
  EXPECT_EQ(status.body["node"], "node-a");
  EXPECT_TRUE(status.body["version"].is_string());
  EXPECT_GE(status.body["uptime_seconds"].get<int64_t>(), 0);
  EXPECT_EQ(status.body["autonomy"]["level"], "N0");
  EXPECT_EQ(status.body["bus"]["kind"], "embedded");
  EXPECT_EQ(status.body["bus"]["healthy"], true);
  EXPECT_TRUE(status.body["bus"]["lag"].is_number());
  EXPECT_TRUE(status.body["bus"]["deadletters"].is_number());
  EXPECT_EQ(status.body["policy"]["valid"], true) << status.body["policy"];
  EXPECT_GE(status.body["audit"]["head_seq"].get<uint64_t>(), 2u);
  EXPECT_EQ(status.body["approvals"]["pending"], 0);

  Reply approvals = get("/api/v1/approvals");
  ASSERT_EQ(approvals.status, 200) << approvals.body;
  EXPECT_TRUE(approvals.body["pending"].is_array());
  EXPECT_EQ(approvals.body["source"], "approval coordinator");

  Reply policy = get("/api/v1/policy");
  ASSERT_EQ(policy.status, 200) << policy.body;
  EXPECT_EQ(policy.body["loaded"], true);
  EXPECT_FALSE(policy.body["digest"].get<std::string>().empty());
}

TEST_F(ReadApiTest, WithoutTheModulesTheLiveStateSaysSo) {
  startMemory();
  startApi(/*with_operations=*/false);
  Reply status = get("/api/v1/status");
  ASSERT_EQ(status.status, 200) << status.body;
  EXPECT_TRUE(status.body["autonomy"].is_null());
  EXPECT_TRUE(status.body["policy"]["valid"].is_null());
  Reply policy = get("/api/v1/policy");
  EXPECT_EQ(policy.status, 503);
  EXPECT_EQ(policy.body["error"]["code"], "unavailable");
  Reply approvals = get("/api/v1/approvals");
  ASSERT_EQ(approvals.status, 200);
  EXPECT_EQ(approvals.body["source"], "audit trail");
}

TEST_F(ReadApiTest, TheChainStatusIsVerifiedInTheBackground) {
  startMemory();
  startApi();
  publish("event", event().toJson());
  ASSERT_TRUE(indexed(1));
  // The verifier ran at start (the trail existed: memory starts first), and says "ok".
  ASSERT_TRUE(waitUntil([&] { return get("/api/v1/status").body["audit"]["chain"] == "ok"; }));
  EXPECT_TRUE(get("/api/v1/status").body["audit"]["checked_at"].is_string());
}

TEST_F(ReadApiTest, RequestsAreCountedByRouteAndStatus) {
  startMemory();
  startApi();
  get("/api/v1/incidents");
  get("/api/v1/incidents/" + newUuid());
  get("/api/v1/incidents?limit=0");
  // Counted once the last byte is written, which may be just after the client has read it.
  auto count = [&](const std::string& route, const std::string& status) {
    return metrics_.read("orion_api_requests_total", {{"route", route}, {"status", status}});
  };
  EXPECT_TRUE(waitUntil([&] { return count("/api/v1/incidents", "200") == 1; }));
  EXPECT_TRUE(waitUntil([&] { return count("/api/v1/incidents/{id}", "404") == 1; }));
  EXPECT_TRUE(waitUntil([&] { return count("/api/v1/incidents", "400") == 1; }));
  EXPECT_EQ(metrics_.read("orion_api_request_duration_seconds", {{"route", "/api/v1/incidents"}}),
            2);
}

TEST_F(ReadApiTest, ReadyWhenBusStorageAndPolicyAreOk) {
  startMemory();
  startBrainAndApprovals();
  startApi();
  Reply empty = get("/ready");
  ASSERT_EQ(empty.status, 200) << "memory writes the trail with its first record: " << empty.body;
  EXPECT_EQ(empty.body["checks"]["storage"]["detail"], "audit trail empty: no record yet");
  publish("event", event().toJson());
  ASSERT_TRUE(indexed(1));
  Reply ready = get("/ready");
  ASSERT_EQ(ready.status, 200) << ready.body;
  EXPECT_EQ(ready.body["ready"], true);
  EXPECT_EQ(ready.body["checks"]["bus"], (Json{{"ok", true}, {"detail", "embedded"}}));
  EXPECT_EQ(ready.body["checks"]["storage"]["ok"], true);
  EXPECT_EQ(ready.body["checks"]["storage"]["detail"].get<std::string>().rfind("audit head seq", 0),
            0u)
      << ready.body;
  EXPECT_EQ(ready.body["checks"]["policy"]["ok"], true);
}

TEST_F(ReadApiTest, NotReadyWhenThePolicyFailedToLoad) {
  std::filesystem::copy(ORION_SOURCE_DIR "/policies", temp_.path() / "policies");
  temp_.write("policies/rules.yaml", "rules: [ {name: broken, when: nonsense\n");
  config_.brain.policy_dir = (temp_.path() / "policies").string();
  startMemory();
  startBrain();
  startApi();
  Reply ready = get("/ready");
  ASSERT_EQ(ready.status, 503) << ready.body;
  EXPECT_EQ(ready.body["ready"], false);
  EXPECT_EQ(ready.body["checks"]["policy"]["ok"], false);
  EXPECT_NE(ready.body["checks"]["policy"]["detail"].get<std::string>().find("nothing is SAFE"),
            std::string::npos)
      << ready.body;
  EXPECT_EQ(ready.body["checks"]["bus"]["ok"], true) << "only what is wrong fails";
  EXPECT_EQ(get("/api/v1/status").body["policy"]["valid"], false);
}

TEST_F(ReadApiTest, NotReadyWhileMemoryIsDegraded) {
  startMemory();
  startApi();
  EXPECT_EQ(get("/ready").status, 200) << get("/ready").body;
  // What memory reports while its trail cannot be written (a full disk: see memory's tests).
  metrics_.gauge("orion_memory_degraded", "").set(1);
  Reply ready = get("/ready");
  EXPECT_EQ(ready.status, 503) << ready.body;
  EXPECT_EQ(ready.body["checks"]["storage"]["ok"], false);
  EXPECT_NE(ready.body["checks"]["storage"]["detail"].get<std::string>().find("degraded"),
            std::string::npos);
}

TEST_F(ReadApiTest, ModulesElsewhereAreNotInThisProcess) {
  startApi(/*with_operations=*/false);  // no memory, no brain here
  Reply ready = get("/ready");
  ASSERT_EQ(ready.status, 200) << ready.body;
  EXPECT_EQ(ready.body["checks"]["policy"]["detail"], "not in this process");
  EXPECT_NE(
      ready.body["checks"]["storage"]["detail"].get<std::string>().find("not in this process"),
      std::string::npos);
}

}  // namespace
}  // namespace orion::api
