// The engine's JSON as podman 4.3 and Docker send it (trimmed captures).
#include <gtest/gtest.h>

#include "docker/docker_client.h"

namespace orion::docker {
namespace {

Json json(std::string_view text) {
  Result<Json> parsed = parseJson(text);
  EXPECT_TRUE(parsed) << parsed.status().toString();
  return parsed ? *parsed : Json();
}

TEST(DockerJsonTest, ContainerList) {
  auto list = parseContainerList(json(R"([
    {"Id":"7b76","Names":["/c1"],"Image":"localhost/orion-test-busybox:latest",
     "State":"exited","Status":"Exited (137) 20 seconds ago","Labels":{"orion.watch":"true"}},
    {"Id":"bf39","Names":["/c2"],"Image":"busybox","State":"running","Labels":null}])"));
  ASSERT_TRUE(list) << list.status().toString();
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].name, "c1");
  EXPECT_EQ((*list)[0].state, "exited");
  EXPECT_EQ((*list)[0].labels.at("orion.watch"), "true");
  EXPECT_TRUE((*list)[1].labels.empty());
  EXPECT_FALSE(parseContainerList(json(R"({"Id":"x"})")));
  EXPECT_FALSE(parseContainerList(json(R"([{"Names":["/x"]}])")));
}

TEST(DockerJsonTest, InspectWithHealth) {
  auto details = parseContainerDetails(json(R"({
    "Id":"bf39","Name":"/c2","RestartCount":3,
    "Config":{"Image":"localhost/orion-test-busybox:latest","Labels":{"app":"web"}},
    "State":{"Status":"running","Running":true,"ExitCode":0,"OOMKilled":false,"Pid":4242,
             "StartedAt":"2026-12-01T19:40:56.036848944Z",
             "Health":{"Status":"unhealthy","FailingStreak":2,"Log":[]}}})"));
  ASSERT_TRUE(details) << details.status().toString();
  EXPECT_EQ(details->summary.name, "c2");
  EXPECT_EQ(details->summary.image, "localhost/orion-test-busybox:latest");
  EXPECT_EQ(details->summary.labels.at("app"), "web");
  EXPECT_TRUE(details->running);
  EXPECT_EQ(details->health, "unhealthy");
  EXPECT_EQ(details->failing_streak, 2);
  EXPECT_EQ(details->restart_count, 3);
  EXPECT_EQ(details->pid, 4242);
  EXPECT_FALSE(parseContainerDetails(json(R"({"Id":"x"})"))) << "no State";
}

TEST(DockerJsonTest, EventsFromPodmanAndDocker) {
  auto podman = parseEngineEvent(json(R"({"status":"die","id":"7b76",
    "from":"localhost/orion-test-busybox:latest","Type":"container","Action":"die",
    "Actor":{"ID":"7b76","Attributes":{"containerExitCode":"137","exitCode":"137",
    "image":"localhost/orion-test-busybox:latest","name":"c1"}},
    "scope":"local","time":1796154055,"timeNano":1796154055335520150})"));
  ASSERT_TRUE(podman) << podman.status().toString();
  EXPECT_EQ(podman->type, "container");
  EXPECT_EQ(podman->action, "die");
  EXPECT_EQ(podman->id, "7b76");
  EXPECT_EQ(podman->name, "c1");
  EXPECT_EQ(podman->exit_code, 137);
  EXPECT_EQ(podman->time_nano, 1796154055335520150);

  auto docker = parseEngineEvent(json(R"({"Type":"container",
    "Action":"health_status: unhealthy","Actor":{"ID":"abc","Attributes":{"name":"web",
    "image":"nginx"}},"time":1700000000})"));
  ASSERT_TRUE(docker);
  EXPECT_EQ(docker->action, "health_status: unhealthy");
  EXPECT_EQ(docker->exit_code, std::nullopt);
  EXPECT_EQ(docker->time_nano, 1700000000LL * 1'000'000'000);

  auto start = parseEngineEvent(json(R"({"Action":"start","Actor":{"ID":"a",
    "Attributes":{"containerExitCode":"0","name":"x"}}})"));
  ASSERT_TRUE(start);
  EXPECT_EQ(start->exit_code, std::nullopt) << "containerExitCode is not an exit on start";
  EXPECT_FALSE(parseEngineEvent(json(R"({"Type":"container"})")));
  EXPECT_FALSE(parseEngineEvent(json(R"({"Action":"die","Actor":{"ID":"a",
    "Attributes":{"exitCode":"lots"}}})")));
}

TEST(DockerJsonTest, AnEventTimeTooLargeForNanosecondsIsTreatedAsAbsent) {
  // Found by tests/fuzz/engine_fuzz.cc under UBSan: seconds × 10⁹ overflowed.
  for (const char* time : {"1764928800123456789", "-1764928800123456789"}) {
    auto event = parseEngineEvent(json(std::string(R"({"Action":"die","time":)") + time + "}"));
    ASSERT_TRUE(event) << time;
    EXPECT_EQ(event->time_nano, 0) << time;
  }
  auto largest = parseEngineEvent(json(R"({"Action":"die","time":9223372036})"));
  ASSERT_TRUE(largest);
  EXPECT_EQ(largest->time_nano, 9223372036LL * 1'000'000'000);
}

TEST(SocketDetectionTest, DockerHostThenWellKnownPaths) {
  auto none = [](const std::string&) { return false; };
  EXPECT_EQ(detectSocket({{"DOCKER_HOST", "unix:///tmp/d.sock"}}, none).value(), "/tmp/d.sock");
  EXPECT_EQ(detectSocket({{"DOCKER_HOST", "tcp://1.2.3.4:2375"}}, none).status().code(),
            StatusCode::kInvalidArgument);
  auto only = [](std::string wanted) {
    return [wanted](const std::string& path) { return path == wanted; };
  };
  EXPECT_EQ(detectSocket({}, only("/var/run/docker.sock")).value(), "/var/run/docker.sock");
  EXPECT_EQ(detectSocket({{"XDG_RUNTIME_DIR", "/run/user/1000"}},
                         only("/run/user/1000/podman/podman.sock"))
                .value(),
            "/run/user/1000/podman/podman.sock");
  EXPECT_EQ(detectSocket({}, only("/run/podman/podman.sock")).value(), "/run/podman/podman.sock");
  auto missing = detectSocket({}, none);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("/run/podman/podman.sock"), std::string::npos);
  EXPECT_EQ(socketPathOf("unix:///a/b").value(), "/a/b");
  EXPECT_FALSE(socketPathOf("relative.sock"));
}

}  // namespace
}  // namespace orion::docker
