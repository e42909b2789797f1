#include "testing/podman_service.h"

#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <sstream>

#include "testing/wait.h"

namespace orion::testing {
namespace {

namespace fs = std::filesystem;

const fs::path kFixtures = fs::path(ORION_SOURCE_DIR) / "tests/fixtures/podman";

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

}  // namespace

std::string PodmanService::missingReason() {
  for (const char* tool : {"podman", "runc", "conmon"}) {
    if (findExecutable(tool).empty() && !fs::exists(std::string("/usr/libexec/podman/") + tool)) {
      return std::string(tool) + " is not installed (scripts/install-deps.sh installs it)";
    }
  }
  if (!fs::exists("/bin/busybox")) {
    return "/bin/busybox is not installed (package busybox-static; scripts/install-deps.sh)";
  }
  return "";
}

bool PodmanService::available() { return missingReason().empty(); }

PodmanService::PodmanService() : podman_(findExecutable("podman")) {}

PodmanService::~PodmanService() {
  if (!podman_.empty()) {
    (void)podman({"rm", "--force", "--all", "--time", "0"}, std::chrono::seconds(30));
  }
  stopService();
}

std::string PodmanService::socketPath() const { return (dir_.path() / "podman.sock").string(); }

std::vector<std::string> PodmanService::globalFlags() const {
  return {"--root",           (dir_.path() / "root").string(),
          "--runroot",        (dir_.path() / "runroot").string(),
          "--tmpdir",         (dir_.path() / "tmp").string(),
          "--storage-driver", "vfs",
          "--cgroup-manager", "cgroupfs",
          "--events-backend", "file"};
}

std::vector<std::string> PodmanService::environment() const {
  return {"CONTAINERS_CONF=" + (kFixtures / "containers.conf").string(),
          // Per-test registries/policy files are not needed: images are built locally.
          "TMPDIR=" + dir_.path().string()};
}

Status PodmanService::start() {
  if (podman_.empty()) return unavailable("podman is not installed");
  if (service_ && service_->running()) return Status::ok();
  std::vector<std::string> args = globalFlags();
  for (const char* arg : {"system", "service", "--time=0"}) args.emplace_back(arg);
  args.push_back("unix://" + socketPath());
  fs::create_directories(dir_.path() / "service-log");
  service_ = std::make_unique<ChildProcess>(
      podman_, args,
      ChildProcess::Options{dir_.path() / "service-log", std::nullopt, environment()});
  if (!service_->started()) return unavailable("starting podman: " + service_->error());
  bool answering = waitUntil(
      [&] {
        if (!service_->running()) return true;
        return fs::exists(socketPath()) &&
               podman({"--url", "unix://" + socketPath(), "version"}, std::chrono::seconds(5))
                   .isOk();
      },
      std::chrono::seconds(20));
  if (!answering || !service_->running()) {
    return unavailable("podman system service did not come up: " + service_->err());
  }
  return Status::ok();
}

bool PodmanService::serviceRunning() { return service_ && service_->running(); }

void PodmanService::stopService() {
  if (!service_) return;
  if (service_->running()) {
    service_->signal(SIGTERM);
    if (!service_->waitExit(std::chrono::seconds(5))) {
      service_->signal(SIGKILL);
      (void)service_->waitExit(std::chrono::seconds(5));
    }
  }
  service_.reset();
  std::error_code ignored;
  fs::remove(socketPath(), ignored);
}

Result<std::string> PodmanService::podman(const std::vector<std::string>& args,
                                          std::chrono::milliseconds timeout) {
  if (podman_.empty()) return unavailable("podman is not installed");
  std::vector<std::string> full;
  bool remote = !args.empty() && args[0] == "--url";
  if (!remote) full = globalFlags();
  full.insert(full.end(), args.begin(), args.end());
  fs::path work = dir_.path() / "cli";
  fs::create_directories(work);
  RunResult result = runToCompletion(
      podman_, full, ChildProcess::Options{work, std::nullopt, environment()}, timeout);
  if (result.code != 0) {
    std::string command = "podman";
    for (const auto& arg : args) command += " " + arg;
    return unavailable(command + " exited " + std::to_string(result.code) + ": " +
                       trimmed(result.err));
  }
  return trimmed(result.out);
}

Status PodmanService::buildTestImage() {
  if (image_built_) return Status::ok();
  fs::path context = dir_.path() / "image";
  fs::create_directories(context);
  std::error_code error;
  fs::copy_file("/bin/busybox", context / "busybox", fs::copy_options::overwrite_existing, error);
  if (error) return unavailable("copying /bin/busybox: " + error.message());
  fs::copy_file(kFixtures / "Containerfile", context / "Containerfile",
                fs::copy_options::overwrite_existing, error);
  if (error) return unavailable("copying the Containerfile: " + error.message());
  Result<std::string> built = podman({"build", "--quiet", "--tag", kTestImage, context.string()},
                                     std::chrono::seconds(120));
  if (!built) return built.status();
  image_built_ = true;
  return Status::ok();
}

}  // namespace orion::testing
