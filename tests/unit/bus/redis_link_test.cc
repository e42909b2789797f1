// The Redis bus's connection logic without a server: the capped exponential back-off, the
// health of a bus's links (degraded on the first failure, healthy again on the last reconnect),
// and a link to a port nobody listens on, whose retries follow the injected SimulatedClock.
#include "bus/redis_link.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "testing/redis_server.h"
#include "testing/wait.h"

namespace orion::bus {
namespace {

using namespace std::chrono_literals;
using orion::testing::waitUntil;

// A loopback port with nothing listening: connections to it are refused at once.
int closedPort() { return orion::testing::freeLoopbackPort(); }

TEST(BackoffTest, DoublesUpToTheCapAndStartsOverAfterASuccess) {
  Backoff backoff(100ms, 1s);
  std::vector<Duration> delays;
  for (int i = 0; i < 6; ++i) delays.push_back(backoff.next());
  EXPECT_EQ(delays, (std::vector<Duration>{100ms, 200ms, 400ms, 800ms, 1s, 1s}));
  EXPECT_EQ(backoff.failures(), 6);
  backoff.reset();
  EXPECT_EQ(backoff.next(), 100ms);
  EXPECT_EQ(backoff.failures(), 1);
}

TEST(BackoffTest, JitterStaysWithinItsShareOfEachDelay) {
  Backoff backoff(1s, 8s, 0.25, 42);
  Duration expected = 1s;
  for (int i = 0; i < 8; ++i) {
    Duration delay = backoff.next();
    EXPECT_LE(delay, expected);
    EXPECT_GE(delay, expected * 3 / 4);
    expected = std::min<Duration>(expected * 2, 8s);
  }
}

class RedisHealthTest : public ::testing::Test {
 protected:
  SimulatedClock clock_;
  MetricsRegistry metrics_;
  RedisHealth health_{"Redis at test", clock_, metrics_, makeLogger("bus-test")};
};

TEST_F(RedisHealthTest, HealthyOnlyWhileEveryLinkIsUp) {
  int writer = health_.addLink("writer");
  int reader = health_.addLink("reader");
  EXPECT_FALSE(health_.healthy());  // not connected yet
  health_.up(writer);
  health_.up(reader);
  EXPECT_TRUE(health_.healthy());
  EXPECT_EQ(metrics_.read("orion_bus_redis_up"), 1);
  health_.down(reader, unavailable("connection reset"));
  health_.down(reader, unavailable("connection refused"));  // still down: counted, not re-logged
  EXPECT_FALSE(health_.healthy());
  EXPECT_EQ(metrics_.read("orion_bus_redis_up"), 0);
  EXPECT_EQ(metrics_.read("orion_bus_redis_connection_failures_total"), 2);
  health_.up(reader);
  EXPECT_TRUE(health_.healthy());
  health_.removeLink(reader);
  EXPECT_TRUE(health_.healthy());
}

TEST_F(RedisHealthTest, ALinkThatGoesAwayWhileDownDoesNotMakeTheBusHealthy) {
  int writer = health_.addLink("writer");
  int reader = health_.addLink("reader");
  health_.up(writer);
  health_.down(reader, unavailable("gone"));
  health_.down(writer, unavailable("gone"));
  health_.removeLink(reader);
  EXPECT_FALSE(health_.healthy());
}

TEST_F(RedisHealthTest, ReconnectAttemptsFollowTheSimulatedClock) {
  RedisEndpoint endpoint;
  endpoint.port = closedPort();
  endpoint.connect_timeout = 200ms;
  RedisLink link(endpoint, {1s, 4s}, clock_, health_, "test");

  std::atomic<bool> stop{false};
  std::atomic<bool> returned{false};
  RedisConnection* connection = nullptr;
  std::thread connecting([&] {
    connection = link.connect([&] { return stop.load(); });
    returned = true;
  });
  auto failures = [&] { return metrics_.read("orion_bus_redis_connection_failures_total"); };
  // The first attempt is immediate and fails; the next waits 1 s of *simulated* time.
  ASSERT_TRUE(waitUntil([&] { return failures() == 1; }));
  std::this_thread::sleep_for(50ms);  // real time passes, simulated time does not
  EXPECT_EQ(failures(), 1);
  EXPECT_FALSE(health_.healthy());
  clock_.advance(1s);
  ASSERT_TRUE(waitUntil([&] { return failures() == 2; }));
  clock_.advance(1s);  // the second delay is 2 s: not yet
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(failures(), 2);
  clock_.advance(1s);
  ASSERT_TRUE(waitUntil([&] { return failures() == 3; }));
  stop = true;  // a stop ends the wait at once
  ASSERT_TRUE(waitUntil([&] { return returned.load(); }));
  connecting.join();
  EXPECT_EQ(connection, nullptr);
}

TEST_F(RedisHealthTest, TryConnectNeverWaits) {
  RedisEndpoint endpoint;
  endpoint.port = closedPort();
  RedisLink link(endpoint, {10s, 10s}, clock_, health_, "admin", false);
  Status error;
  EXPECT_EQ(link.tryConnect(&error), nullptr);
  EXPECT_EQ(error.code(), StatusCode::kUnavailable);
  EXPECT_EQ(link.tryConnect(&error), nullptr);  // within its back-off: no attempt at all
  EXPECT_NE(error.message().find("reconnecting"), std::string::npos) << error.message();
  // An uncounted link takes no part in the bus's health.
  int writer = health_.addLink("writer");
  health_.up(writer);
  EXPECT_TRUE(health_.healthy());
}

// A loopback listener that never accepts: the kernel completes connections through the backlog,
// and nothing ever answers. Returns the listening fd and its port.
std::pair<int, int> silentListener() {
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  EXPECT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  EXPECT_EQ(listen(listener, 4), 0);
  EXPECT_EQ(getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length), 0);
  return {listener, ntohs(address.sin_port)};
}

TEST_F(RedisHealthTest, ANewConnectionCountsAsUpOnlyOnceItsSetupIsConfirmed) {
  // A server that accepts connections (the kernel does, through the backlog) but that the
  // owner's setup fails on, as a Redis at maxmemory refuses XGROUP CREATE with OOM.
  auto [listener, port] = silentListener();
  RedisEndpoint endpoint;
  endpoint.port = port;
  RedisLink link(endpoint, {1s, 4s}, clock_, health_, "writer");
  bool fresh = false;
  ASSERT_NE(link.connect([] { return false; }, &fresh), nullptr);
  EXPECT_TRUE(fresh);
  EXPECT_FALSE(health_.healthy()) << "connected, but the setup has not worked yet";
  link.fail(unavailable("OOM command not allowed when used memory > 'maxmemory'"));
  clock_.advance(1s);
  ASSERT_NE(link.connect([] { return false; }, &fresh), nullptr);
  EXPECT_FALSE(health_.healthy()) << "still not up: no flapping on every attempt";
  link.confirm();
  EXPECT_TRUE(health_.healthy());
  link.confirm();  // once per connection: nothing more happens
  EXPECT_TRUE(health_.healthy());
  ::close(listener);
}

TEST(RedisConnectionTest, WritingToAClosedConnectionIsAnErrorNotSigpipe) {
  // This test binary, unlike the daemon, leaves SIGPIPE at its default action (terminate): a
  // raised SIGPIPE would end the test run here.
  auto [listener, port] = silentListener();
  RedisEndpoint endpoint;
  endpoint.port = port;
  auto opened = RedisConnection::open(endpoint);  // no password: nothing is sent yet
  ASSERT_TRUE(opened.isOk()) << opened.status().toString();
  (*opened)->interrupt();  // shuts the socket down: the next write fails with EPIPE
  auto reply = (*opened)->command({"PING"});
  close(listener);
  ASSERT_FALSE(reply.isOk());
  EXPECT_EQ(reply.status().code(), StatusCode::kUnavailable) << reply.status().toString();
  EXPECT_TRUE((*opened)->broken());
  // A broken connection keeps saying what broke it.
  auto again = (*opened)->command({"PING"});
  ASSERT_FALSE(again.isOk());
  EXPECT_EQ(again.status().message(), reply.status().message());
  // Nothing was left pending for the thread, and its signal mask is as it was.
  sigset_t set;
  sigemptyset(&set);
  ASSERT_EQ(sigpending(&set), 0);
  EXPECT_EQ(sigismember(&set, SIGPIPE), 0);
  ASSERT_EQ(pthread_sigmask(SIG_SETMASK, nullptr, &set), 0);
  EXPECT_EQ(sigismember(&set, SIGPIPE), 0);
}

// The daemon's way, SIGPIPE ignored: the failed write is the same transport error.
TEST(RedisConnectionTest, WithSigpipeIgnoredAWriteToAClosedConnectionIsTheSameError) {
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  struct sigaction previous {};
  ASSERT_EQ(sigaction(SIGPIPE, &ignore, &previous), 0);
  auto [listener, port] = silentListener();
  RedisEndpoint endpoint;
  endpoint.port = port;
  auto opened = RedisConnection::open(endpoint);
  ASSERT_TRUE(opened.isOk()) << opened.status().toString();
  (*opened)->interrupt();
  auto reply = (*opened)->command({"PING"});
  close(listener);
  ASSERT_EQ(sigaction(SIGPIPE, &previous, nullptr), 0);
  ASSERT_FALSE(reply.isOk());
  EXPECT_EQ(reply.status().code(), StatusCode::kUnavailable) << reply.status().toString();
  EXPECT_TRUE((*opened)->broken());
}

TEST(RedisConnectionTest, ASilentServerTimesOutInsteadOfHanging) {
  auto [listener, port] = silentListener();
  RedisEndpoint endpoint;
  endpoint.port = port;
  endpoint.password = "x";  // AUTH is the first command, so the reply timeout shows at open()
  endpoint.read_timeout = 200ms;
  RealClock clock;
  MonoTime begin = clock.monotonic();
  auto opened = RedisConnection::open(endpoint);
  Duration took = clock.monotonic() - begin;
  close(listener);
  ASSERT_FALSE(opened.isOk());
  EXPECT_EQ(opened.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(opened.status().message().find("timed out"), std::string::npos)
      << opened.status().message();
  EXPECT_GE(took, 150ms);
  EXPECT_LT(took, 5s);
}

}  // namespace
}  // namespace orion::bus
