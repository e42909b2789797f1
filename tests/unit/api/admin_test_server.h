// An API server with the admin endpoints over a real loopback socket, in front of a real
// embedded bus, a real approval coordinator (its control operations in a control::Router) and,
// on demand, a real brain: what the admin endpoint tests talk to. Time is a SimulatedClock.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "api/api.h"
#include "bus/module_context.h"
#include "common/json.h"
#include "control/control.h"
#include "signing/admin_key.h"
#include "testing/temp_dir.h"

namespace orion::api::admin_test {

inline constexpr const char* kAdminToken = "dGhlLWFkbWluLXRva2VuLW9mLXRoaXMtdGVzdC0xMjM0NTY=";
inline constexpr const char* kAdminKey = "0123456789abcdef-admin-key";

struct AdminServerOptions {
  bool with_token = true;
  bool with_key = true;
  bool with_operations = true;
  bool with_brain = false;
  bool token_open_to_group = false;  // the token file is mode 0640: the API must not start
  std::string listen_host = "127.0.0.1";
};

class AdminServer {
 public:
  // Starts everything; check started() (or the Status) before use.
  explicit AdminServer(AdminServerOptions options = {});
  ~AdminServer();

  Status started() const { return started_; }
  int port() const { return port_; }
  SimulatedClock& clock() { return clock_; }
  MetricsRegistry& metrics() { return metrics_; }
  const control::Router& router() const { return router_; }
  const std::filesystem::path& stateDir() const { return dir_.path(); }
  signing::AdminKey key() const { return signing::AdminKey::fromBytes(kAdminKey); }

  // Publishes an approval_request (as the brain would) and waits until the coordinator holds
  // it. Returns the document.
  Json pendingRequest();

  // Documents of `type` seen on the bus so far (deadletter, approval_decision, autonomy_change).
  std::vector<Json> seen(const std::string& type) const;

  // A client for the server; POST with the admin token (or `token`) and a JSON body.
  httplib::Client client() const;
  httplib::Result post(const std::string& path, const std::string& body,
                       std::optional<std::string> token = std::string(kAdminToken),
                       const std::string& content_type = "application/json") const;

 private:
  orion::testing::TempDir dir_;
  SimulatedClock clock_;
  MetricsRegistry metrics_;
  std::unique_ptr<bus::Bus> bus_;
  control::Router router_;
  std::vector<std::unique_ptr<Service>> modules_;
  std::vector<std::unique_ptr<bus::Subscription>> watches_;
  mutable std::mutex mutex_;
  std::map<std::string, std::vector<Json>> seen_;
  Status started_;
  int port_ = 0;
};

// The error body's code and field ("" when absent); "" and "" when the body is not an error.
std::pair<std::string, std::string> errorOf(const httplib::Result& response);

}  // namespace orion::api::admin_test
