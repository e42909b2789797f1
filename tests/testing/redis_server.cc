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

int freeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  int port = -1;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  close(fd);
  return port;
}

bool redisRequired() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string(ci) == "true";
}

std::string RedisServer::program(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    std::filesystem::path candidate = std::filesystem::path(dir) / name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return "";
}

RedisServer::RedisServer(Options options, int port) : options_(std::move(options)), port_(port) {}

RedisServer::~RedisServer() { stop(); }

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
