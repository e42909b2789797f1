#include "admin_test_server.h"

#include "approval/coordinator.h"
#include "brain/brain.h"
#include "bus/embedded_bus.h"
#include "common/ids.h"
#include "contracts/registry.h"
#include "signing/approval_signature.h"
#include "test_requests.h"         // tests/unit/approval
#include "testing/redis_server.h"  // freeLoopbackPort
#include "testing/wait.h"

namespace orion::api::admin_test {

namespace fs = std::filesystem;

AdminServer::AdminServer(AdminServerOptions options) {
  auto contracts = contracts::ContractRegistry::loadEmbedded();
  if (!contracts) {
    started_ = contracts.status();
    return;
  }
  bus_ = bus::makeEmbeddedBus({}, *contracts, clock_, metrics_);
  for (const char* type : {"deadletter", "approval_decision", "autonomy_change"}) {
    auto watch = bus_->subscribe({type, "test-watch", "watch-1"}, [this](const bus::Delivery& d) {
      std::lock_guard lock(mutex_);
      seen_[std::string(d.type)].push_back(*d.document);
      return Status::ok();
    });
    if (!watch) {
      started_ = watch.status();
      return;
    }
    watches_.push_back(std::move(watch).value());
  }
  std::string state_dir = dir_.path().string();
  constexpr fs::perms kOwnerOnly = fs::perms::owner_read | fs::perms::owner_write;
  if (options.with_key) fs::permissions(dir_.write("admin.key", kAdminKey), kOwnerOnly);
  if (options.with_token) fs::permissions(dir_.write("api.token", kAdminToken), kOwnerOnly);
  if (options.token_open_to_group) {
    fs::permissions(dir_.path() / "api.token", fs::perms::group_read, fs::perm_options::add);
  }

  ModuleContext context{*bus_, clock_, metrics_, "node-a", state_dir, &router_, nullptr};
  approval::CoordinatorOptions coordinator;
  coordinator.max_sweep_wait = std::chrono::milliseconds(5);
  coordinator.admin_key_file = options.with_key ? "admin.key" : "";
  modules_.push_back(approval::makeCoordinator(coordinator, context));
  if (options.with_brain) {
    config::BrainConfig brain;
    brain.policy_dir = ORION_SOURCE_DIR "/policies";
    modules_.push_back(brain::makeBrain(brain, context));
  }
  config::Config config;
  config.state_dir = state_dir;
  config.api.enabled = true;
  port_ = orion::testing::freeLoopbackPort();
  config.api.listen = options.listen_host + ":" + std::to_string(port_);
  config.api.admin_token_file = options.with_token ? "api.token" : "";
  config.approval.admin_key_file = options.with_key ? "admin.key" : "";
  ModuleContext api_context = context;
  api_context.control = nullptr;
  api_context.operations = options.with_operations ? &router_ : nullptr;
  modules_.push_back(makeApiServer(config, api_context));
  for (size_t i = 0; i < modules_.size(); ++i) {
    started_ = modules_[i]->start();
    if (!started_.isOk()) {
      modules_.resize(i);  // the rest never started: nothing to stop
      return;
    }
  }
}

AdminServer::~AdminServer() {
  for (auto it = modules_.rbegin(); it != modules_.rend(); ++it) {
    (*it)->stop(clock_.monotonic() + std::chrono::seconds(1));
  }
  for (auto& watch : watches_) watch->stop();
}

Json AdminServer::pendingRequest() {
  std::string id = newUuid();
  Json request =
      orion::testing::approvalRequest(clock_.now(), clock_.now() + std::chrono::minutes(30), id);
  EXPECT_TRUE(bus_->publish("approval_request", request).isOk());
  bool held = orion::testing::waitUntil([&] {
    control::Request show{"approvals.show", Json{{"id", id}}, control::selfPeer()};
    return router_.dispatch(show).isOk();
  });
  EXPECT_TRUE(held) << "the coordinator never held request " << id;
  return request;
}

std::vector<Json> AdminServer::seen(const std::string& type) const {
  std::lock_guard lock(mutex_);
  auto it = seen_.find(type);
  return it == seen_.end() ? std::vector<Json>{} : it->second;
}

httplib::Client AdminServer::client() const {
  httplib::Client client("127.0.0.1", port_);
  client.set_connection_timeout(std::chrono::seconds(5));
  client.set_read_timeout(std::chrono::seconds(5));
  return client;
}

httplib::Result AdminServer::post(const std::string& path, const std::string& body,
                                  std::optional<std::string> token,
                                  const std::string& content_type) const {
  httplib::Headers headers;
  if (token) headers.emplace("Authorization", "Bearer " + *token);
  return client().Post(path.c_str(), headers, body, content_type.c_str());
}

std::pair<std::string, std::string> errorOf(const httplib::Result& response) {
  if (!response) return {"(no response)", ""};
  Json body = Json::parse(response->body, nullptr, false);
  if (body.is_discarded() || !body.contains("error")) return {"", ""};
  return {body["error"].value("code", ""), body["error"].value("field", "")};
}

}  // namespace orion::api::admin_test
