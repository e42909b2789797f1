// A private podman API service for one test (or test suite): `podman system service --time=0`
// on a unix socket in a temporary directory, with its own storage root, runroot and tmpdir and the
// project's containers.conf (tests/fixtures/podman/, via CONTAINERS_CONF), so nothing is shared
// with other tests or with the machine. It serves the Docker-compatible API the watcher and the
// commander use.
//
// Everything is torn down by the destructor: containers removed (`rm -f -a -t 0`), the service
// stopped and reaped, the directory deleted. Used from one test thread.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "e2e/child_process.h"
#include "testing/host_tools.h"
#include "testing/temp_dir.h"

namespace orion::testing {

class PodmanService {
 public:
  // The image buildTestImage() makes.
  static constexpr const char* kTestImage = "localhost/orion-test-busybox:latest";

  // True when podman, runc and /bin/busybox are installed (scripts/install-deps.sh installs
  // them). A test that finds them missing must fail under CI=true (see requirePodman()).
  static bool available();
  // "" when the test may go on; otherwise the reason it cannot, which a test turns into a
  // failure when $CI is "true" and into a skip elsewhere.
  static std::string missingReason();

  PodmanService();
  ~PodmanService();
  PodmanService(const PodmanService&) = delete;
  PodmanService& operator=(const PodmanService&) = delete;

  // Starts the API service and waits (up to 20 s) until it answers on socketPath().
  Status start();
  // Stops the API service only (SIGTERM, then SIGKILL); containers keep running under conmon.
  void stopService();
  bool serviceRunning();

  std::string socketPath() const;

  // Builds kTestImage from tests/fixtures/podman/Containerfile (once per service).
  Status buildTestImage();

  // Runs the podman CLI against this service's storage: `podman <global flags> args…`.
  // Returns its stdout (trimmed) or an error with its stderr.
  Result<std::string> podman(const std::vector<std::string>& args,
                             std::chrono::milliseconds timeout = std::chrono::seconds(60));

  const std::filesystem::path& dir() const { return dir_.path(); }

 private:
  std::vector<std::string> globalFlags() const;
  std::vector<std::string> environment() const;

  TempDir dir_;
  std::string podman_;
  std::unique_ptr<ChildProcess> service_;
  bool image_built_ = false;
};

}  // namespace orion::testing
