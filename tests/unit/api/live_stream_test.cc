// GET /api/v1/stream over a real socket: a document published on the real embedded bus arrives
// live; a client that falls behind is told so and disconnected; the client limit holds; and the
// server stops promptly with streams open.
#include "api/live_stream.h"

#include <poll.h>

#include <atomic>
#include <thread>

#include "api/stream_hub.h"
#include "api_fixture.h"

namespace orion::api {
namespace {

using testing::ApiFixture;
using testing::waitUntil;

// A raw loopback connection that sends one GET and then reads (or deliberately does not read).
class RawClient {
 public:
  RawClient(int port, const std::string& path, int receive_buffer = 0) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    if (receive_buffer > 0) {
      setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof(receive_buffer));
    }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<uint16_t>(port));
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
    std::string request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    if (connected_) connected_ = send(fd_, request.data(), request.size(), 0) > 0;
  }
  ~RawClient() { close(fd_); }
  bool connected() const { return connected_; }

  // Reads until `text` has arrived `times` times (the stream's chunk framing may separate two
  // writes, never split one), EOF or `timeout`; true when it arrived.
  bool readUntil(std::string_view text, std::chrono::milliseconds timeout, size_t times = 1) {
    RealClock clock;
    MonoTime deadline = clock.monotonic() + timeout;
    while (count(text) < times) {
      if (!readSome(deadline - clock.monotonic())) return false;
    }
    return true;
  }
  size_t count(std::string_view text) const {
    size_t n = 0;
    for (size_t at = received_.find(text); at != std::string::npos;
         at = received_.find(text, at + text.size())) {
      ++n;
    }
    return n;
  }
  // Reads until the server closes the connection; true when it did within `timeout`.
  bool readToEof(std::chrono::milliseconds timeout) {
    RealClock clock;
    MonoTime deadline = clock.monotonic() + timeout;
    while (!eof_) {
      if (!readSome(deadline - clock.monotonic()) && !eof_) return false;
    }
    return true;
  }
  const std::string& received() const { return received_; }

 private:
  bool readSome(Duration left) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(left).count();
    if (ms <= 0 || eof_) return false;
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(ms)) <= 0) return false;
    char buffer[65536];
    ssize_t n = recv(fd_, buffer, sizeof(buffer), 0);
    if (n <= 0) {
      eof_ = true;
      return false;
    }
    received_.append(buffer, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  bool eof_ = false;
  std::string received_;
};

class LiveStreamTest : public ApiFixture {};

TEST_F(LiveStreamTest, APublishedIncidentArrivesLive) {
  startApi();
  RawClient client(port_, "/api/v1/stream?types=incident,decision");
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.readUntil(": connected\n\n", std::chrono::seconds(5))) << client.received();
  EXPECT_NE(client.received().find("Content-Type: text/event-stream"), std::string::npos)
      << client.received();
  EXPECT_EQ(metrics_.read("orion_api_stream_clients"), 1);

  contracts::Event e = event();
  publish("event", e.toJson());  // not asked for
  contracts::Incident i = incident({e.event_id});
  publish("incident", i.toJson());
  std::string frame =
      "event: incident\nid: " + i.incident_id + "\ndata: " + i.toJson().dump() + "\n\n";
  ASSERT_TRUE(client.readUntil(frame, std::chrono::seconds(5))) << client.received();
  EXPECT_EQ(client.received().find("event: event\n"), std::string::npos) << "only what it asked";
}

TEST_F(LiveStreamTest, StopIsPromptWithAStreamOpen) {
  startApi();
  RawClient client(port_, "/api/v1/stream");
  ASSERT_TRUE(client.readUntil(": connected\n\n", std::chrono::seconds(5)));
  RealClock real;
  MonoTime begin = real.monotonic();
  api_->stop(real.monotonic() + std::chrono::seconds(1));
  EXPECT_LT(real.monotonic() - begin, std::chrono::milliseconds(1500));
  EXPECT_TRUE(client.readToEof(std::chrono::seconds(2))) << "the stream was ended";
  api_.reset();
}

// The live stream on a server of the test's own, with small limits.
class SmallLiveStreamTest : public ApiFixture {
 protected:
  void start(LiveStreamOptions options) {
    module_context_ = std::make_unique<ModuleContext>(context());
    environment_ = std::make_unique<ApiEnvironment>(
        ApiEnvironment{config_, *module_context_, makeLogger("api-test")});
    stream_ = makeLiveStream(*environment_, options);
    ASSERT_TRUE(stream_->start().isOk());
    stream_->addRoutes(server_);
    server_.set_write_timeout(std::chrono::seconds(5));
    server_.set_keep_alive_max_count(1);  // the connection ends with the stream
    server_port_ = server_.bind_to_any_port("127.0.0.1");
    ASSERT_GT(server_port_, 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    ASSERT_TRUE(waitUntil([&] { return server_.is_running(); }));
  }
  void TearDown() override {
    if (stream_) stream_->closeStreams();
    server_.stop();
    if (thread_.joinable()) thread_.join();
    if (stream_) stream_->stop();
    ApiFixture::TearDown();
  }

  std::unique_ptr<ModuleContext> module_context_;
  std::unique_ptr<ApiEnvironment> environment_;
  std::unique_ptr<LiveStream> stream_;
  httplib::Server server_;
  std::thread thread_;
  int server_port_ = 0;
};

TEST_F(SmallLiveStreamTest, BeyondTheClientLimitIsA503) {
  start({.max_clients = 2, .queue_limit = 16, .keep_alive = std::chrono::seconds(15)});
  RawClient first(server_port_, "/api/v1/stream");
  RawClient second(server_port_, "/api/v1/stream");
  ASSERT_TRUE(first.readUntil(": connected", std::chrono::seconds(5)));
  ASSERT_TRUE(second.readUntil(": connected", std::chrono::seconds(5)));
  httplib::Client third("127.0.0.1", server_port_);
  auto refused = third.Get("/api/v1/stream");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 503);
  Result<Json> body = parseJson(refused->body);
  ASSERT_TRUE(body) << refused->body;
  EXPECT_EQ((*body)["error"]["code"], "unavailable");
}

TEST_F(SmallLiveStreamTest, KeepAliveCommentsFlowWhileNothingHappens) {
  start({.max_clients = 2, .queue_limit = 16, .keep_alive = std::chrono::milliseconds(50)});
  RawClient client(server_port_, "/api/v1/stream");
  ASSERT_TRUE(client.readUntil(": keep-alive\n\n", std::chrono::seconds(5), 3))
      << client.received();
}

TEST_F(SmallLiveStreamTest, AClientThatFallsBehindIsToldAndDisconnected) {
  start({.max_clients = 2, .queue_limit = 4, .keep_alive = std::chrono::seconds(15)});
  // A small receive window and no reading: the server's writes to it soon block.
  RawClient slow(server_port_, "/api/v1/stream?types=incident", 4096);
  ASSERT_TRUE(slow.readUntil(": connected", std::chrono::seconds(5)));
  contracts::Event e = event();
  contracts::Incident big = incident({e.event_id});
  big.description = std::string(32 * 1024, 'x');
  for (int i = 0; i < 400 && metrics_.read("orion_api_stream_overflows_total") < 1; ++i) {
    big.incident_id = newUuid();
    publish("incident", big.toJson());
  }
  ASSERT_TRUE(waitUntil([&] { return metrics_.read("orion_api_stream_overflows_total") >= 1; }))
      << "the bus handler never blocked on the client, and counted it";
  ASSERT_TRUE(slow.readToEof(std::chrono::seconds(10)));
  EXPECT_NE(slow.received().find("event: overflow\n"), std::string::npos) << slow.received().substr(
      slow.received().size() - std::min<size_t>(300, slow.received().size()));
  EXPECT_TRUE(waitUntil([&] { return metrics_.read("orion_api_stream_clients") == 0; }));
}

TEST(StreamHubTest, AFullQueueOverflowsOnceAndClosingWakesTheReader) {
  StreamHub hub(1);
  auto client = hub.join({"incident"}, 2);
  ASSERT_TRUE(client);
  EXPECT_FALSE(hub.join({"incident"}, 2)) << "one client at most";
  EXPECT_EQ(hub.offer("decision", "d", Json{{"a", 1}}), 0u);
  EXPECT_EQ(hub.offer("incident", "i1", Json{{"a", 1}}), 0u);
  EXPECT_EQ(hub.offer("incident", "i2", Json{{"a", 2}}), 0u);
  EXPECT_EQ(hub.offer("incident", "i3", Json{{"a", 3}}), 1u) << "the third does not fit";
  EXPECT_EQ(hub.offer("incident", "i4", Json{{"a", 4}}), 0u) << "counted once";
  StreamClient::Batch batch = client->next(std::chrono::milliseconds(1));
  EXPECT_TRUE(batch.overflowed);

  auto other = std::make_shared<StreamClient>(std::set<std::string, std::less<>>{"event"}, 8);
  std::thread closer([&] { other->close(); });
  StreamClient::Batch closed = other->next(std::chrono::seconds(10));
  closer.join();
  EXPECT_TRUE(closed.closed);
  EXPECT_EQ(sseFrame("incident", "i1", Json{{"a", 1}}),
            "event: incident\nid: i1\ndata: {\"a\":1}\n\n");
}

}  // namespace
}  // namespace orion::api
