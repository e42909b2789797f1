// A real redis-server for the integration tests and the Redis bench: started on a free loopback
// port with its data in a directory the caller owns (normally a TempDir), AOF on by default,
// stopped when the object goes away. kill() and restart() let a test take Redis away mid-flow
// and bring it back on the same port with the same data (the AOF is replayed).
//
// cli() runs redis-cli against it: the "foreign client" of the tests (an entry written by
// something other than ORION). Used from the test's thread only.
//
// A test that needs Redis starts with ORION_REQUIRE_REDIS(): when redis-server is not installed
// it is skipped on a developer machine and fails in CI (CI=true), where scripts/install-deps.sh
// must have installed it.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "e2e/child_process.h"
#include "testing/host_tools.h"

namespace orion::testing {

class RedisServer {
 public:
  struct Options {
    std::filesystem::path dir;                         // data, AOF, log; must exist
    std::optional<std::filesystem::path> config_file;  // e.g. deploy/redis/redis.conf
    std::vector<std::string> args;                     // extra "--key", "value" arguments
    bool append_only = true;
    bool unix_socket = false;  // also listen on a unix socket (mode 0700), see socketPath()
  };

  // The full path of an installed Redis program ("redis-server", "redis-cli",
  // "redis-benchmark"), or "" when it is not on the PATH.
  static std::string program(const std::string& name);

  // Starts redis-server and waits (up to 10 s) until it answers. The error names the log.
  static Result<std::unique_ptr<RedisServer>> start(Options options);
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  int port() const { return port_; }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }
  // With Options::unix_socket: the socket's path (`dir`/redis.sock, or under /tmp when that would
  // not fit in a socket address), and the bus URL that reaches it.
  std::filesystem::path socketPath() const;
  std::string unixUrl() const { return "unix://" + socketPath().string(); }
  pid_t pid() const;

  // SIGKILL: Redis dies at once, as in a crash; what the AOF had is kept.
  void kill();
  // Starts it again on the same port and directory and waits until it answers.
  Status restart();
  // SIGTERM and wait for the exit (SHUTDOWN may be disabled by the configuration).
  void stop();

  // redis-cli -p <port> [--user U --pass P] ARGS: its standard output, trailing newline removed.
  // Error replies come back as text ("NOPERM ..."); only a failure to run is an error Status.
  Result<std::string> cli(const std::vector<std::string>& args, const std::string& user = "",
                          const std::string& password = "") const;

  // The log's last lines, for failure messages.
  std::string logTail() const;

 private:
  explicit RedisServer(Options options, int port);
  Status launch();
  Status waitReady();

  Options options_;
  int port_;
  std::unique_ptr<ChildProcess> process_;
};

// True when tests that need redis-server must fail rather than skip (CI=true).
bool redisRequired();

}  // namespace orion::testing

// Skips the test when redis-server is missing, or fails it in CI.
#define ORION_REQUIRE_REDIS()                                                            \
  do {                                                                                   \
    if (::orion::testing::RedisServer::program("redis-server").empty()) {                \
      if (::orion::testing::redisRequired()) {                                           \
        FAIL() << "redis-server is not installed (scripts/install-deps.sh installs it)"; \
      }                                                                                  \
      GTEST_SKIP() << "redis-server is not installed";                                   \
    }                                                                                    \
  } while (false)
