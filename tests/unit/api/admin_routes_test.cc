// The admin endpoints over a real loopback socket (admin_test_server.h): answers signed like the
// CLI's and accepted by the real coordinator, the token gate with its audit records and rate
// limit (SimulatedClock), malformed requests, and the autonomy level through the real brain.
#include <gtest/gtest.h>

#include "admin_test_server.h"
#include "contracts/documents.h"
#include "signing/approval_signature.h"
#include "testing/wait.h"

namespace orion::api::admin_test {
namespace {

using orion::testing::waitUntil;
using std::chrono::seconds;

std::string approvePath(const Json& request, const std::string& verb = "approve",
                        size_t prefix = std::string::npos) {
  return "/api/v1/approvals/" +
         request["approval_request_id"].get<std::string>().substr(0, prefix) + "/" + verb;
}

void expectNoCors(const httplib::Result& response) {
  ASSERT_TRUE(response);
  for (const auto& [name, value] : response->headers) {
    EXPECT_EQ(name.rfind("Access-Control-", 0), std::string::npos) << name << ": " << value;
  }
}

class AdminRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.started().isOk()) << server_.started().toString(); }
  AdminServer server_;
};

TEST_F(AdminRoutesTest, ApproveByPrefixPublishesASignedAnswerTheCoordinatorAccepted) {
  Json request = server_.pendingRequest();
  auto response = server_.post(approvePath(request, "approve", 8), R"({"reason":"nginx may go"})");
  ASSERT_TRUE(response);
  ASSERT_EQ(response->status, 200) << response->body;
  Json body = Json::parse(response->body);
  auto answer = contracts::ApprovalDecision::fromJson(body["answer"]);
  ASSERT_TRUE(answer.isOk()) << answer.status().toString();
  EXPECT_EQ(answer->approval_request_id, request["approval_request_id"]);
  EXPECT_EQ(answer->decision_id, request["decision_id"]);
  EXPECT_EQ(answer->decision, contracts::ApprovalVerdict::kApprove);
  EXPECT_EQ(answer->admin_identity, "api:admin@127.0.0.1");
  EXPECT_EQ(answer->source, "orion-approval-cli");
  EXPECT_EQ(answer->reason, "nginx may go");
  EXPECT_TRUE(answer->action_id.has_value());
  EXPECT_EQ(answer->tags["action_hash"],
            signing::actionHash("restart_service", Json{{"service_name", "nginx"}}));
  EXPECT_TRUE(signing::verifyApproval(*answer, server_.key()).isOk());
  EXPECT_EQ(answer->expires_at - answer->issued_at, std::chrono::minutes(5));
  ASSERT_TRUE(waitUntil([&] { return server_.seen("approval_decision").size() == 1; }));
  EXPECT_EQ(server_.seen("approval_decision")[0]["approval_id"], answer->approval_id);
  EXPECT_EQ(server_.metrics().read("orion_approval_answers_total", {{"decision", "approve"}}), 1);

  // Single use: the request is answered.
  auto again = server_.post(approvePath(request), R"({"reason":"again"})");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 404) << again->body;
  EXPECT_EQ(errorOf(again).first, "not_found");
}

TEST_F(AdminRoutesTest, DenyAndForceWithOverrides) {
  Json denied = server_.pendingRequest();
  auto deny = server_.post(approvePath(denied, "deny"), R"({"reason":"not during the backup"})");
  ASSERT_TRUE(deny);
  ASSERT_EQ(deny->status, 200) << deny->body;
  Json deny_answer = Json::parse(deny->body)["answer"];
  EXPECT_EQ(deny_answer["decision"], "deny");
  EXPECT_FALSE(deny_answer.contains("action_id"));

  Json forced = server_.pendingRequest();
  auto force = server_.post(approvePath(forced, "force"),
                            R"({"reason":"the breaker tripped on a flaky probe",)"
                            R"("override_cooldown":true,"override_breaker":true})");
  ASSERT_TRUE(force);
  ASSERT_EQ(force->status, 200) << force->body;
  auto answer = contracts::ApprovalDecision::fromJson(Json::parse(force->body)["answer"]);
  ASSERT_TRUE(answer.isOk()) << answer.status().toString();
  EXPECT_EQ(answer->decision, contracts::ApprovalVerdict::kForce);
  EXPECT_TRUE(answer->override_cooldown);
  EXPECT_TRUE(answer->override_circuit_breaker);
  EXPECT_TRUE(signing::verifyApproval(*answer, server_.key()).isOk());
  ASSERT_TRUE(waitUntil([&] { return server_.seen("approval_decision").size() == 2; }));
}

TEST_F(AdminRoutesTest, ReasonRulesAndIdsAreCheckedNamingTheField) {
  Json request = server_.pendingRequest();
  struct Case {
    std::string path;
    std::string body;
    int status;
    std::string code;
    std::string field;
  };
  std::string id = request["approval_request_id"];
  for (const Case& c : {
           Case{approvePath(request, "force"), R"({"reason":"too short"})", 400, "invalid_argument",
                "reason"},
           Case{approvePath(request), R"({"reason":"   "})", 400, "invalid_argument", "reason"},
           Case{"/api/v1/approvals/0b7e7c1e-3f4a-4c55-9a2e-8f0e6f1d2c3b/approve",
                R"({"reason":"fine"})", 404, "not_found", ""},
           Case{"/api/v1/approvals/" + id.substr(0, 5) + "/approve", R"({"reason":"fine"})", 400,
                "invalid_argument", "id"},
           // Overrides exist only on force: on approve they are unknown keys.
           Case{approvePath(request), R"({"reason":"fine","override_breaker":true})", 400,
                "invalid_argument", "override_breaker"},
       }) {
    auto response = server_.post(c.path, c.body);
    ASSERT_TRUE(response) << c.path;
    EXPECT_EQ(response->status, c.status) << c.path << " " << c.body << ": " << response->body;
    EXPECT_EQ(errorOf(response), std::make_pair(c.code, c.field)) << c.body;
  }
  // Nothing was answered.
  EXPECT_TRUE(server_.seen("approval_decision").empty());
  EXPECT_EQ(server_.metrics().read("orion_approval_pending"), 1);
}

TEST_F(AdminRoutesTest, MalformedBodiesAreRefusedNamingTheField) {
  Json request = server_.pendingRequest();
  std::string path = approvePath(request, "force");
  struct Case {
    std::string body;
    std::string field;
  };
  for (const Case& c : {
           Case{"", ""},
           Case{"{not json", ""},
           Case{R"(["reason"])", ""},
           Case{R"("a string")", ""},
           Case{R"({})", "reason"},
           Case{R"({"reason":42})", "reason"},
           Case{R"({"reason":null})", "reason"},
           Case{R"({"reason":"a good long reason","override_cooldown":"yes"})",
                "override_cooldown"},
           Case{R"({"reason":"a good long reason","sneaky":1})", "sneaky"},
       }) {
    auto response = server_.post(path, c.body);
    ASSERT_TRUE(response) << c.body;
    EXPECT_EQ(response->status, 400) << c.body << ": " << response->body;
    EXPECT_EQ(errorOf(response), std::make_pair(std::string("invalid_argument"), c.field))
        << c.body;
    expectNoCors(response);
  }
  EXPECT_TRUE(server_.seen("approval_decision").empty());
}

TEST_F(AdminRoutesTest, MediaTypeSizeAndMethodsAreChecked) {
  Json request = server_.pendingRequest();
  std::string path = approvePath(request);
  auto text = server_.post(path, R"({"reason":"fine"})", std::string(kAdminToken), "text/plain");
  ASSERT_TRUE(text);
  EXPECT_EQ(text->status, 415);
  EXPECT_EQ(errorOf(text).first, "unsupported_media_type");

  auto charset = server_.post("/api/v1/autonomy", R"({"level":"N9","reason":"testing"})",
                              std::string(kAdminToken), "application/json; charset=utf-8");
  ASSERT_TRUE(charset);
  EXPECT_EQ(charset->status, 400);  // the media type was accepted; the level was not

  std::string big = R"({"reason":")" + std::string(17 * 1024, 'x') + R"("})";
  auto large = server_.post(path, big);
  ASSERT_TRUE(large);
  EXPECT_EQ(large->status, 413);
  EXPECT_EQ(errorOf(large).first, "payload_too_large");

  auto get = server_.client().Get(path.c_str());
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status, 405);
  EXPECT_EQ(errorOf(get).first, "method_not_allowed");
  EXPECT_EQ(get->get_header_value("Allow"), "POST");
  expectNoCors(get);

  // A browser's CORS preflight gets no Access-Control-* header, so it fails.
  httplib::Headers preflight{{"Origin", "https://evil.example"},
                             {"Access-Control-Request-Method", "POST"},
                             {"Access-Control-Request-Headers", "authorization,content-type"}};
  auto options = server_.client().send([&] {
    httplib::Request r;
    r.method = "OPTIONS";
    r.path = path;
    r.headers = preflight;
    return r;
  }());
  ASSERT_TRUE(options);
  EXPECT_EQ(options->status, 405);
  expectNoCors(options);

  // A cross-origin POST with the token still gets no CORS header (its page cannot read it).
  httplib::Headers origin{{"Origin", "https://evil.example"},
                          {"Authorization", std::string("Bearer ") + kAdminToken}};
  auto cross = server_.client().Post(path.c_str(), origin, R"({"reason":"x"})", "application/json");
  expectNoCors(cross);
  EXPECT_TRUE(server_.seen("approval_decision").size() <= 1);
}

TEST_F(AdminRoutesTest, MissingOrWrongTokenIs401AndAuditedWithoutTheToken) {
  Json request = server_.pendingRequest();
  std::string path = approvePath(request);
  auto missing = server_.post(path, R"({"reason":"fine"})", std::nullopt);
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 401);
  EXPECT_EQ(errorOf(missing).first, "unauthenticated");
  EXPECT_EQ(missing->get_header_value("WWW-Authenticate").rfind("Bearer", 0), 0u);

  std::string guess = "not-the-token-but-a-guess-of-the-same-size-xxxxx";
  auto wrong = server_.post(path, R"({"reason":"fine"})", guess);
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  EXPECT_NE(wrong->get_header_value("WWW-Authenticate").find("invalid_token"), std::string::npos);

  httplib::Headers basic{{"Authorization", "Basic YWRtaW46YWRtaW4="}};
  auto malformed = server_.client().Post(path.c_str(), basic, "{}", "application/json");
  ASSERT_TRUE(malformed);
  EXPECT_EQ(malformed->status, 401);

  EXPECT_EQ(server_.metrics().read("orion_api_auth_failures_total", {{"reason", "missing"}}), 1);
  EXPECT_EQ(server_.metrics().read("orion_api_auth_failures_total", {{"reason", "wrong"}}), 1);
  EXPECT_EQ(server_.metrics().read("orion_api_auth_failures_total", {{"reason", "malformed"}}), 1);
  EXPECT_TRUE(server_.seen("approval_decision").empty());
  EXPECT_EQ(server_.metrics().read("orion_approval_pending"), 1);

  // The first failure of the window is recorded on the dead-letter stream.
  ASSERT_TRUE(waitUntil([&] { return !server_.seen("deadletter").empty(); }));
  Json record = server_.seen("deadletter")[0];
  EXPECT_EQ(record["source"], "orion-api");
  EXPECT_EQ(record["stream"], "http:admin-auth");
  EXPECT_EQ(record["original_document"]["client"], "127.0.0.1");
  EXPECT_EQ(record["original_document"]["kind"], "first_failure");
  EXPECT_EQ(record["original_document"]["attempt"]["method"], "POST");
  EXPECT_EQ(record["original_document"]["attempt"]["path"], path);
  EXPECT_NE(record["reason"].get<std::string>().find("no Authorization header"), std::string::npos);
  for (const Json& letter : server_.seen("deadletter")) {
    EXPECT_EQ(letter.dump().find(guess), std::string::npos) << "the presented token leaked";
    EXPECT_EQ(letter.dump().find(kAdminToken), std::string::npos);
  }
}

TEST_F(AdminRoutesTest, FailuresLimitTheAddressUntilTheWindowPassesEvenWithTheRightToken) {
  Json request = server_.pendingRequest();
  std::string path = approvePath(request);
  for (int i = 0; i < 5; ++i) {
    auto wrong = server_.post(path, R"({"reason":"fine"})", std::string("wrong-token-") + "x");
    ASSERT_TRUE(wrong);
    EXPECT_EQ(wrong->status, 401) << i;
    server_.clock().advance(seconds(1));
  }
  auto limited = server_.post(path, R"({"reason":"fine"})");  // the right token
  ASSERT_TRUE(limited);
  EXPECT_EQ(limited->status, 429) << limited->body;
  EXPECT_EQ(errorOf(limited).first, "resource_exhausted");
  EXPECT_EQ(limited->get_header_value("Retry-After"), "55");
  EXPECT_EQ(server_.metrics().read("orion_api_auth_limited_total"), 1);
  EXPECT_EQ(server_.metrics().read("orion_approval_pending"), 1);

  server_.clock().advance(seconds(55));
  auto allowed = server_.post(path, R"({"reason":"fine"})");
  ASSERT_TRUE(allowed);
  EXPECT_EQ(allowed->status, 200) << allowed->body;

  // Audited: the first failure, the one that reached the limit (it counts the failures in
  // between), and a summary of the window with the one refusal when the address came back.
  ASSERT_TRUE(waitUntil([&] { return server_.seen("deadletter").size() == 3; }));
  auto letters = server_.seen("deadletter");
  EXPECT_EQ(letters[0]["original_document"]["kind"], "first_failure");
  EXPECT_EQ(letters[1]["original_document"]["kind"], "limit_reached");
  EXPECT_EQ(letters[2]["original_document"]["kind"], "summary");
  EXPECT_EQ(letters[2]["original_document"]["failures"], 5);
  EXPECT_EQ(letters[2]["original_document"]["refused_while_limited"], 1);
  EXPECT_EQ(letters[2]["original_document"]["not_recorded_one_by_one"], 1);
}

TEST(AdminRoutesConfigTest, WithoutATokenTheEndpointsAreDisabled) {
  AdminServer server({.with_token = false});
  ASSERT_TRUE(server.started().isOk()) << server.started().toString();
  auto response = server.post("/api/v1/autonomy", R"({"level":"N1","reason":"testing it"})");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 403);
  EXPECT_EQ(errorOf(response).first, "permission_denied");
  EXPECT_NE(response->body.find("api.admin_token_file"), std::string::npos);
}

TEST(AdminRoutesConfigTest, WithoutTheAdminKeyApprovalsAreUnavailable) {
  AdminServer server({.with_key = false});
  ASSERT_TRUE(server.started().isOk()) << server.started().toString();
  Json request = server.pendingRequest();
  auto response = server.post(approvePath(request), R"({"reason":"fine"})");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 503);
  EXPECT_EQ(errorOf(response).first, "unavailable");
  EXPECT_NE(response->body.find("approval.admin_key_file"), std::string::npos);
}

TEST(AdminRoutesConfigTest, WithoutTheDaemonsOperationsTheEndpointsAreUnavailable) {
  AdminServer server({.with_operations = false});
  ASSERT_TRUE(server.started().isOk()) << server.started().toString();
  auto response = server.post("/api/v1/autonomy", R"({"level":"N1","reason":"testing it"})");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 503);
}

TEST(AdminRoutesConfigTest, NonLoopbackListenStartsWithAToken) {
  AdminServer server({.listen_host = "0.0.0.0"});
  EXPECT_TRUE(server.started().isOk()) << server.started().toString();
  auto response = server.client().Get("/health");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
}

TEST(AdminRoutesConfigTest, AutonomyChangesThroughTheBrainRecordingWhoAsked) {
  AdminServer server({.with_brain = true});
  ASSERT_TRUE(server.started().isOk()) << server.started().toString();
  auto bad = server.post("/api/v1/autonomy", R"({"level":"N7","reason":"testing it"})");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(errorOf(bad).second, "level");
  auto missing = server.post("/api/v1/autonomy", R"({"level":"N1"})");
  ASSERT_TRUE(missing);
  EXPECT_EQ(errorOf(missing).second, "reason");

  auto changed = server.post("/api/v1/autonomy",
                             R"({"level":"N1","reason":"watching suggestions for a day"})");
  ASSERT_TRUE(changed);
  ASSERT_EQ(changed->status, 200) << changed->body;
  Json body = Json::parse(changed->body);
  EXPECT_EQ(body["previous_level"], "N0");
  ASSERT_TRUE(waitUntil([&] { return server.seen("autonomy_change").size() == 1; }));
  std::string who = server.seen("autonomy_change")[0].dump();
  EXPECT_NE(who.find("via http 127.0.0.1:"), std::string::npos) << who;
  EXPECT_NE(who.find("(admin token)"), std::string::npos) << who;

  auto same = server.post("/api/v1/autonomy",
                          R"({"level":"N1","reason":"watching suggestions for a day"})");
  ASSERT_TRUE(same);
  EXPECT_EQ(same->status, 409) << same->body;
}

TEST(AdminRoutesConfigTest, ATokenFileOpenToOthersStopsTheStart) {
  AdminServer server({.token_open_to_group = true});
  Status started = server.started();
  EXPECT_EQ(started.code(), StatusCode::kPermissionDenied) << started.toString();
  EXPECT_NE(started.message().find("api.admin_token_file"), std::string::npos);
  EXPECT_NE(started.message().find("api.token"), std::string::npos);
  EXPECT_NE(started.message().find("chmod 600"), std::string::npos);
}

}  // namespace
}  // namespace orion::api::admin_test
