// What the API tests run on: a real embedded bus, the real memory service writing a real trail
// in a temporary state directory, optionally the real brain and approval coordinator (their
// control operations served in process by a control::Router), and the API server on a free
// loopback port, spoken to over the socket with httplib's client.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>

#include <memory>
#include <string>
#include <vector>

#include "api/api.h"
#include "approval/approval.h"
#include "brain/brain.h"
#include "bus/embedded_bus.h"
#include "common/ids.h"
#include "contracts/documents.h"
#include "contracts/registry.h"
#include "control/control.h"
#include "memory/memory.h"
#include "testing/redis_server.h"  // freeLoopbackPort
#include "testing/temp_dir.h"
#include "testing/wait.h"

namespace orion::api::testing {

using orion::testing::TempDir;
using orion::testing::waitUntil;

struct Reply {
  int status = 0;
  Json body;
  std::string content_type;
};

class ApiFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    auto contracts = contracts::ContractRegistry::loadEmbedded();
    ASSERT_TRUE(contracts.isOk()) << contracts.status().toString();
    bus_ = bus::makeEmbeddedBus({}, *contracts, clock_, metrics_);
    port_ = orion::testing::freeLoopbackPort();
    ASSERT_GT(port_, 0);
    config_.state_dir = temp_.path().string();
    config_.api.enabled = true;
    config_.api.listen = "127.0.0.1:" + std::to_string(port_);
    config_.brain.policy_dir = ORION_SOURCE_DIR "/policies";
  }

  void TearDown() override {
    if (api_) api_->stop(clock_.monotonic());
    for (auto it = modules_.rbegin(); it != modules_.rend(); ++it) {
      (*it)->stop(clock_.monotonic() + std::chrono::seconds(2));
    }
  }

  ModuleContext context() {
    return ModuleContext{*bus_,    clock_,  metrics_, "node-a", temp_.path().string(),
                         &router_, &router_};
  }

  void startMemory() {
    modules_.push_back(memory::makeMemory(config_.memory, temp_.path(), context()));
    ASSERT_TRUE(modules_.back()->start().isOk());
  }
  // The brain (autonomy.show, policy.show) and the approval coordinator (approvals.list).
  void startBrain() {
    modules_.push_back(brain::makeBrain(config_.brain, context()));
    ASSERT_TRUE(modules_.back()->start().isOk());
  }
  void startBrainAndApprovals() {
    startBrain();
    modules_.push_back(
        approval::makeApprovalCoordinator(config_.approval, config_.brain.policy_dir, context()));
    ASSERT_TRUE(modules_.back()->start().isOk());
  }
  // `with_operations`: the API runs the daemon's operations in process (as in `orion run`).
  void startApi(bool with_operations = true) {
    ModuleContext api_context = context();
    api_context.control = nullptr;
    if (!with_operations) api_context.operations = nullptr;
    api_ = makeApiServer(config_, api_context);
    Status started = api_->start();
    ASSERT_TRUE(started.isOk()) << started.toString();
  }

  Reply get(const std::string& path) {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(std::chrono::seconds(10));
    auto response = client.Get(path.c_str());
    Reply reply;
    if (!response) {
      ADD_FAILURE() << "GET " << path << ": " << httplib::to_string(response.error());
      return reply;
    }
    reply.status = response->status;
    reply.content_type = response->get_header_value("Content-Type");
    Result<Json> body = parseJson(response->body);
    if (body) reply.body = std::move(body).value();
    return reply;
  }

  void publish(std::string_view type, const Json& document) {
    Result<std::string> published = bus_->publish(type, document);
    ASSERT_TRUE(published) << published.status().toString();
  }

  // Waits until the trail's index (what the API reads) holds seq `seq`.
  bool indexed(uint64_t seq) {
    return waitUntil([&] {
      Reply reply = get("/api/v1/audit?limit=1");
      return reply.status == 200 && !reply.body["items"].empty() &&
             reply.body["items"][0]["seq"].get<uint64_t>() >= seq;
    });
  }

  // ---- documents, valid against their contracts -------------------------------------------

  contracts::Event event(std::string service = "jellyfin", std::string node = "node-a") {
    contracts::Event e;
    e.event_id = newUuid();
    e.timestamp = clock_.now();
    e.source = "orion-watcher-docker";
    e.event_type = "service_down";
    e.severity = contracts::EventSeverity::kError;
    e.data = {{"node", node}, {"service_name", service}};
    e.tags = {{"node", node}};
    return e;
  }
  contracts::Incident incident(const std::vector<std::string>& events,
                               contracts::IncidentState state = contracts::IncidentState::kOpen,
                               std::string id = "", std::string node = "node-a") {
    contracts::Incident i;
    i.incident_id = id.empty() ? newUuid() : id;
    i.timestamp = clock_.now();
    i.incident_type = "service_outage";
    i.severity = contracts::IncidentSeverity::kHigh;
    i.event_ids = events;
    i.window_start = clock_.now() - std::chrono::minutes(1);
    i.window_end = clock_.now();
    i.state = state;
    i.description = "jellyfin is down";
    i.tags = {{"node", node}};
    return i;
  }
  contracts::Decision decision(const std::string& incident_id) {
    contracts::Decision d;
    d.decision_id = newUuid();
    d.timestamp = clock_.now();
    d.incident_id = incident_id;
    d.decision_type = contracts::DecisionType::kExecuteSafeAction;
    d.reasoning = "rule restart-on-outage matched; every gate allowed it";
    d.proposed_action =
        contracts::ProposedAction{"restart_service", {{"service_name", "jellyfin"}}};
    d.tags = {{"node", "node-a"}, {"gate.autonomy", "N2 allows SAFE actions"}};
    return d;
  }
  contracts::Action action(const std::string& decision_id) {
    contracts::Action a;
    a.action_id = newUuid();
    a.timestamp = clock_.now();
    a.decision_id = decision_id;
    a.action_type = "restart_service";
    a.state = contracts::ActionState::kExecuting;
    a.parameters = {{"service_name", "jellyfin"}};
    a.tags = {{"node", "node-a"}};
    return a;
  }
  contracts::Outcome outcome(const std::string& action_id) {
    contracts::Outcome o;
    o.outcome_id = newUuid();
    o.timestamp = clock_.now();
    o.action_id = action_id;
    o.status = contracts::OutcomeStatus::kSucceeded;
    o.tags = {{"node", "node-a"}};
    return o;
  }

  RealClock clock_;
  MetricsRegistry metrics_;
  TempDir temp_;
  config::Config config_;
  control::Router router_;
  std::unique_ptr<bus::Bus> bus_;
  std::vector<std::unique_ptr<Service>> modules_;
  std::unique_ptr<Service> api_;
  int port_ = 0;
};

}  // namespace orion::api::testing
