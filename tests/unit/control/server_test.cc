// A real control server on a unix socket in a temporary directory, and the client: the caller's
// identity comes from the kernel, the socket is private, bad input gets an error response, and a
// silent client cannot stall the next one.
#include "control/server.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "control/client.h"
#include "testing/temp_dir.h"

namespace orion::control {
namespace {

using testing::TempDir;

class ControlServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(router_
                    .registerOp("test.whoami", "",
                                [](const Request& request) -> Result<Json> {
                                  return Json{{"uid", request.peer.uid},
                                              {"pid", request.peer.pid},
                                              {"who", request.peer.describe()},
                                              {"args", request.args}};
                                })
                    .isOk());
    ASSERT_TRUE(router_
                    .registerOp("test.fail", "",
                                [](const Request&) -> Result<Json> {
                                  return failedPrecondition("not now");
                                })
                    .isOk());
    path_ = socketPathFor(dir_.path().string());
    server_ = std::make_unique<Server>(ServerOptions{path_, std::chrono::milliseconds(300)},
                                       router_, clock_, metrics_);
    ASSERT_TRUE(server_->start().isOk());
  }

  // Sends raw bytes on a fresh connection and returns the whole answer.
  std::string raw(const std::string& bytes, bool close_write = true) {
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strcpy(address.sun_path, path_.c_str());
    EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
    EXPECT_EQ(send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(bytes.size()));
    if (close_write) shutdown(fd, SHUT_WR);
    std::string answer;
    char buffer[4096];
    ssize_t got;
    while ((got = recv(fd, buffer, sizeof(buffer), 0)) > 0) answer.append(buffer, got);
    close(fd);
    return answer;
  }

  TempDir dir_;
  RealClock clock_;
  MetricsRegistry metrics_;
  Router router_;
  std::filesystem::path path_;
  std::unique_ptr<Server> server_;
};

TEST_F(ControlServerTest, TheCallerIsWhoTheKernelSays) {
  auto result = call(path_, "test.whoami", Json{{"level", "N2"}, {"uid", 0}});
  ASSERT_TRUE(result.isOk()) << result.status().message();
  EXPECT_EQ((*result)["uid"], getuid());
  EXPECT_EQ((*result)["pid"], getpid()) << "the kernel's pid, not a claimed one";
  EXPECT_EQ((*result)["args"]["level"], "N2");
  EXPECT_NE((*result)["who"].get<std::string>().find("uid " + std::to_string(getuid())),
            std::string::npos);
  EXPECT_EQ(metrics_.read("orion_control_requests_total"), 1);
}

TEST_F(ControlServerTest, SocketIsPrivate) {
  struct stat info {};
  ASSERT_EQ(stat(path_.c_str(), &info), 0);
  EXPECT_TRUE(S_ISSOCK(info.st_mode));
  EXPECT_EQ(info.st_mode & 0777, 0600);
}

TEST_F(ControlServerTest, HandlerErrorsKeepTheirCode) {
  auto failed = call(path_, "test.fail", Json::object());
  ASSERT_FALSE(failed.isOk());
  EXPECT_EQ(failed.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(failed.status().message(), "not now");
  auto unknown = call(path_, "test.nope", Json::object());
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(metrics_.read("orion_control_errors_total"), 2);
}

TEST_F(ControlServerTest, BadRequestsGetAnErrorResponse) {
  for (const std::string& bad :
       {std::string("not json\n"), std::string("[1,2]\n"), std::string("{\"op\": 3}\n"),
        std::string("{\"op\": \"test.whoami\", \"args\": [1]}\n")}) {
    std::string answer = raw(bad);
    auto parsed = parseJson(answer.substr(0, answer.find('\n')));
    ASSERT_TRUE(parsed.isOk()) << answer;
    auto result = resultOf(*parsed);
    EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument) << bad;
  }
  std::string huge(100 * 1024, 'x');
  auto parsed = parseJson(raw(huge, false).substr(0, std::string::npos));
  ASSERT_TRUE(parsed.isOk());
  EXPECT_NE(resultOf(*parsed).status().message().find("over"), std::string::npos);
}

TEST_F(ControlServerTest, ASilentClientDoesNotStallTheNextOne) {
  int silent = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strcpy(address.sun_path, path_.c_str());
  ASSERT_EQ(connect(silent, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  // The server cuts the silent one off after its 300 ms I/O timeout, then serves this one.
  auto result = call(path_, "test.whoami", Json::object(), std::chrono::seconds(5));
  EXPECT_TRUE(result.isOk()) << result.status().message();
  close(silent);
}

TEST_F(ControlServerTest, OneServerPerSocketAndStaleSocketsAreReplaced) {
  Server second(ServerOptions{path_}, router_, clock_, metrics_);
  Status status = second.start();
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(status.message().find("another ORION"), std::string::npos);

  server_->stop();
  EXPECT_FALSE(std::filesystem::exists(path_)) << "stop removes the socket";
  EXPECT_EQ(call(path_, "test.whoami", Json::object()).status().code(), StatusCode::kUnavailable);

  // A socket file nobody serves (a crashed daemon) is replaced.
  int stale = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strcpy(address.sun_path, path_.c_str());
  ASSERT_EQ(bind(stale, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  close(stale);
  ASSERT_TRUE(std::filesystem::exists(path_));
  Server third(ServerOptions{path_}, router_, clock_, metrics_);
  ASSERT_TRUE(third.start().isOk());
  EXPECT_TRUE(call(path_, "test.whoami", Json::object()).isOk());
}

TEST(ControlClient, SaysWhenOrionIsNotRunning) {
  TempDir dir;
  auto result = call(socketPathFor(dir.path().string()), "autonomy.show", Json::object());
  ASSERT_FALSE(result.isOk());
  EXPECT_EQ(result.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(result.status().message().find("not running"), std::string::npos);
}

TEST(ControlServer, ATooLongPathIsNamed) {
  Router router;
  RealClock clock;
  MetricsRegistry metrics;
  Server server(ServerOptions{std::filesystem::path("/tmp/" + std::string(200, 'x'))}, router,
                clock, metrics);
  Status status = server.start();
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
  EXPECT_NE(status.message().find("shorter state_dir"), std::string::npos);
}

// Another user, even one who can reach the socket, is refused by uid. Needs root to become
// someone else; elsewhere the 0600 mode alone keeps other users out.
TEST_F(ControlServerTest, AnotherUserIsRefused) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to run a client as another uid";
  ASSERT_EQ(chmod(dir_.path().c_str(), 0755), 0);
  ASSERT_EQ(chmod(path_.c_str(), 0666), 0);  // only the uid check is left to refuse
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (setgid(65534) != 0 || setuid(65534) != 0) _exit(3);
    auto result = call(path_, "test.whoami", Json::object(), std::chrono::seconds(5));
    _exit(!result.isOk() && result.status().code() == StatusCode::kPermissionDenied ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "the other uid was not refused";
  EXPECT_EQ(metrics_.read("orion_control_refused_total"), 1);
}

}  // namespace
}  // namespace orion::control
