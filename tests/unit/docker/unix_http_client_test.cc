// UnixHttpClient against a tiny unix-socket server the test runs: whole responses, a long-lived
// chunked stream that a Cancellation ends at once, timeouts and a missing socket.
#include "docker/unix_http_client.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <future>
#include <thread>

#include "docker/docker_client.h"
#include "testing/temp_dir.h"
#include "testing/wait.h"

namespace orion::docker {
namespace {

// Accepts connections one at a time; for each, reads the request head, records it and writes
// `response`, then keeps the connection open until the test ends when `hold` is set.
class CannedServer {
 public:
  CannedServer(const std::string& path, std::string response, bool hold)
      : response_(std::move(response)), hold_(hold) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
    EXPECT_EQ(::listen(fd_, 8), 0);
    thread_ = std::thread([this] { serve(); });
  }
  ~CannedServer() {
    stopping_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    thread_.join();
    ::close(fd_);
  }
  std::string lastRequest() {
    std::lock_guard lock(mutex_);
    return last_request_;
  }

 private:
  void serve() {
    while (!stopping_) {
      int client = ::accept(fd_, nullptr, nullptr);
      if (client < 0) return;
      std::string request;
      char buffer[1024];
      while (request.find("\r\n\r\n") == std::string::npos) {
        ssize_t got = ::recv(client, buffer, sizeof(buffer), 0);
        if (got <= 0) break;
        request.append(buffer, static_cast<size_t>(got));
      }
      {
        std::lock_guard lock(mutex_);
        last_request_ = request;
      }
      if (!response_.empty()) {
        [[maybe_unused]] ssize_t sent =
            ::send(client, response_.data(), response_.size(), MSG_NOSIGNAL);
      }
      if (hold_) {
        // Held open until the client goes away (recv returns 0) or the server stops.
        while (!stopping_ && ::recv(client, buffer, sizeof(buffer), 0) > 0) {
        }
      }
      ::close(client);
    }
  }

  int fd_ = -1;
  std::string response_;
  bool hold_;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::string last_request_;
  std::thread thread_;
};

class UnixHttpClientTest : public ::testing::Test {
 protected:
  std::string socketPath() const { return (dir_.path() / "engine.sock").string(); }
  orion::testing::TempDir dir_;
  RealClock clock_;
};

TEST_F(UnixHttpClientTest, RequestReturnsStatusAndBody) {
  CannedServer server(socketPath(),
                      "HTTP/1.1 200 OK\r\nContent-Length: 27\r\n\r\n"
                      R"([{"Id":"a","Names":["/x"]}])",
                      false);
  DockerClient client(socketPath(), clock_);
  auto list = client.listContainers();
  ASSERT_TRUE(list) << list.status().toString();
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].name, "x");
  EXPECT_EQ(server.lastRequest().substr(0, 35), "GET /containers/json?all=1 HTTP/1.1");
}

TEST_F(UnixHttpClientTest, EngineErrorsMapToStatusCodes) {
  CannedServer server(socketPath(),
                      "HTTP/1.1 404 Not Found\r\nContent-Length: 36\r\n\r\n"
                      R"({"message":"no such container: zz"})"
                      " ",
                      false);
  DockerClient client(socketPath(), clock_);
  Status status = client.restartContainer("zz", std::chrono::seconds(1));
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_NE(status.message().find("no such container: zz"), std::string::npos) << status.message();
  EXPECT_NE(server.lastRequest().find("POST /containers/zz/restart?t=1 HTTP/1.1"),
            std::string::npos);
}

TEST_F(UnixHttpClientTest, StreamDeliversEventsAndStopsPromptlyWhenCancelled) {
  CannedServer server(socketPath(),
                      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "2d\r\n{\"Type\":\"container\",\"Action\":\"die\",\"id\":\"a\"}\n\r\n"
                      "6\r\nnot js\r\n"
                      "3\r\non\n\r\n",
                      true);
  DockerClient client(socketPath(), clock_);
  Cancellation cancel;
  std::atomic<int> events{0};
  std::atomic<bool> connected{false};
  int64_t skipped = 0;
  auto result = std::async(std::launch::async, [&] {
    return client.streamEvents(
        {}, [&] { connected = true; }, [&](const EngineEvent& e) { events += e.action == "die"; },
        cancel, &skipped);
  });
  ASSERT_TRUE(orion::testing::waitUntil([&] { return events.load() == 1; }));
  EXPECT_TRUE(connected);
  EXPECT_NE(server.lastRequest().find("/events?filters="), std::string::npos);
  cancel.cancel();
  ASSERT_EQ(result.wait_for(std::chrono::seconds(2)), std::future_status::ready);
  EXPECT_EQ(result.get().code(), StatusCode::kCancelled);
  EXPECT_EQ(skipped, 1) << "the malformed line is skipped, not fatal";
}

TEST_F(UnixHttpClientTest, SilentEngineTimesOutAndMissingSocketIsUnavailable) {
  CannedServer server(socketPath(), "", true);
  UnixHttpClient http(socketPath(), clock_);
  auto response = http.request("GET", "/version", "", std::chrono::milliseconds(150));
  EXPECT_EQ(response.status().code(), StatusCode::kDeadlineExceeded);

  UnixHttpClient nobody((dir_.path() / "absent.sock").string(), clock_);
  EXPECT_EQ(nobody.request("GET", "/version", "", std::chrono::seconds(1)).status().code(),
            StatusCode::kUnavailable);
}

}  // namespace
}  // namespace orion::docker
