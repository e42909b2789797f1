#include "testing/redis_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <sstream>

#include "testing/temp_dir.h"
#include "testing/wait.h"

namespace orion::testing {
namespace {

using namespace std::chrono_literals;

}  // namespace

bool redisRequired() { return runningInCi(); }

std::string RedisServer::program(const std::string& name) { return findExecutable(name); }

RedisServer::RedisServer(Options options, int port) : options_(std::move(options)), port_(port) {}

RedisServer::~RedisServer() {
  stop();
  if (options_.unix_socket) {
    std::error_code ignored;
    std::filesystem::remove(socketPath(), ignored);  // left behind by a kill()
  }
}

std::filesystem::path RedisServer::socketPath() const {
  std::filesystem::path in_dir = options_.dir / "redis.sock";
  if (in_dir.string().size() <= 100) return in_dir;
  return "/tmp/orion-redis-" + std::to_string(::getpid()) + "-" + std::to_string(port_) + ".sock";
}

Result<std::unique_ptr<RedisServer>> RedisServer::start(Options options) {
  if (program("redis-server").empty()) return notFound("redis-server is not installed");
  // Another process may take the free port between the probe and the bind: try a few.
  Status last;
  for (int attempt = 0; attempt < 5; ++attempt) {
    int port = freeLoopbackPort();
    if (port <= 0) return unavailable("no free loopback port");
    std::unique_ptr<RedisServer> server(new RedisServer(options, port));
    last = server->launch();
    if (last) return server;
  }
  return last;
}

Status RedisServer::launch() {
  std::vector<std::string> args;
  if (options_.config_file) args.push_back(options_.config_file->string());
  std::vector<std::string> base = {"--port",        std::to_string(port_),
                                   "--bind",        "127.0.0.1",
                                   "--dir",         options_.dir.string(),
                                   "--logfile",     (options_.dir / "redis.log").string(),
                                   "--daemonize",   "no",
                                   "--save",        "",
                                   "--appendonly",  options_.append_only ? "yes" : "no",
                                   "--appendfsync", "everysec"};
  args.insert(args.end(), base.begin(), base.end());
  if (options_.unix_socket) {
    args.insert(args.end(), {"--unixsocket", socketPath().string(), "--unixsocketperm", "700"});
  }
  args.insert(args.end(), options_.args.begin(), options_.args.end());
  process_ = std::make_unique<ChildProcess>(program("redis-server"), args,
                                            ChildProcess::Options{options_.dir, std::nullopt, {}});
  if (!process_->started()) return unavailable(process_->error());
  return waitReady();
}

Status RedisServer::waitReady() {
  // Any reply (PONG, or NOAUTH when the default user is off) means it is up and listening;
  // LOADING means it is still replaying the AOF.
  bool ready = waitUntil(
      [&] {
        if (!process_->running()) return true;
        Result<std::string> reply = cli({"PING"});
        return reply && (reply->find("PONG") != std::string::npos ||
                         reply->find("NOAUTH") != std::string::npos ||
                         reply->find("NOPERM") != std::string::npos);
      },
      10s);
  if (ready && process_->running()) return Status::ok();
  std::string why = process_->running() ? "did not answer within 10 s" : "exited";
  stop();
  return unavailable("redis-server on port " + std::to_string(port_) + " " + why + "; log:\n" +
                     logTail());
}

pid_t RedisServer::pid() const { return process_ ? process_->pid() : -1; }

void RedisServer::kill() {
  if (!process_ || !process_->running()) return;
  process_->signal(SIGKILL);
  process_->waitExit(10s);
}

Status RedisServer::restart() {
  kill();
  return launch();
}

void RedisServer::stop() {
  if (!process_ || !process_->running()) return;
  process_->signal(SIGTERM);
  if (!process_->waitExit(10s)) {
    process_->signal(SIGKILL);
    process_->waitExit(10s);
  }
}

Result<std::string> RedisServer::cli(const std::vector<std::string>& args, const std::string& user,
                                     const std::string& password) const {
  std::vector<std::string> full = {"-p", std::to_string(port_), "--no-auth-warning"};
  if (!user.empty()) full.insert(full.end(), {"--user", user});
  if (!password.empty()) full.insert(full.end(), {"--pass", password});
  full.insert(full.end(), args.begin(), args.end());
  std::string cli = program("redis-cli");
  if (cli.empty()) return notFound("redis-cli is not installed");
  RunResult result =
      runToCompletion(cli, full, ChildProcess::Options{options_.dir, std::nullopt, {}}, 10s);
  if (result.code != 0) {
    return unavailable("redis-cli exited with " + std::to_string(result.code) + ": " + result.err);
  }
  std::string out = result.out;
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

std::string RedisServer::logTail() const {
  std::string log = readFile(options_.dir / "redis.log");
  return log.size() > 2000 ? log.substr(log.size() - 2000) : log;
}

}  // namespace orion::testing
