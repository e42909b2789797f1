// Idle footprint of the real daemon: starts `orion run` (ORION_BINARY) with a temporary state
// directory, default intervals and stdout/stderr not a terminal, and reads /proc/<pid>/status
// once a second from the end of start-up (5 s: the daemon releases its start-up pages at 3 s,
// common/clean_pages.h) until SECONDS, then stops it with SIGTERM and prints one JSON object:
//
//   {"idle_rss_mib": .., "end_rss_mib": .., "end_rss_anon_mib": .., "end_rss_file_mib": ..,
//    "peak_rss_mib": .., "threads": .., "seconds": .., "exit_code": ..}
//
// idle_rss_mib is the largest VmRSS read in that window (what the watcher's, the sweeps' and the
// API's periodic work map back counts); peak_rss_mib is VmHWM, start-up included.
//
// Usage: idle_rss_bench [SECONDS] [--incident] [-- extra orion run arguments]   (default 30 s)
//   --incident: disk thresholds of 1 % and 2 %, so that the first host sample (at start) opens an
//   incident for every mount and the whole pipeline runs once before the daemon goes idle.
// Target (issue 2): idle RSS <= 8 MiB.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace {

// A field of /proc/<pid>/status in KiB (or a plain count, for Threads); -1 when absent.
long statusField(pid_t pid, const std::string& name) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(name + ":", 0) == 0)
      return std::strtol(line.c_str() + name.size() + 1, nullptr, 10);
  }
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 30;
  std::vector<std::string> extra;
  bool incident = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--") == 0) {
      extra.assign(argv + i + 1, argv + argc);
      break;
    }
    if (std::strcmp(argv[i], "--incident") == 0) {
      incident = true;
      continue;
    }
    seconds = std::strtod(argv[i], nullptr);
  }

  std::string dir_template =
      (std::filesystem::temp_directory_path() / "orion-idle-rss-XXXXXX").string();
  if (mkdtemp(dir_template.data()) == nullptr) return 1;
  std::filesystem::path dir = dir_template;

  // The bench decides the configuration: ORION_* variables of the caller are not passed on.
  std::vector<std::string> env_strings;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    if (std::strncmp(*entry, "ORION_", 6) != 0) env_strings.emplace_back(*entry);
  }
  std::vector<std::string> arg_strings{ORION_BINARY, "run", "--state-dir",
                                       (dir / "state").string()};
  if (incident) {
    std::string config = (dir / "orion.yaml").string();
    std::ofstream(config) << "watcher:\n  host:\n    disk_percent: {warning: 1, critical: 2}\n";
    arg_strings.insert(arg_strings.end(), {"--config", config});
  }
  arg_strings.insert(arg_strings.end(), extra.begin(), extra.end());
  std::vector<char*> args, envp;
  for (auto& s : arg_strings) args.push_back(s.data());
  args.push_back(nullptr);
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  std::string log_path = (dir / "orion.log").string();
  posix_spawn_file_actions_addopen(&actions, 2, log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  pid_t pid = -1;
  int spawned = posix_spawn(&pid, ORION_BINARY, &actions, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    std::fprintf(stderr, "idle_rss_bench: cannot start %s: %s\n", ORION_BINARY,
                 std::strerror(spawned));
    return 1;
  }

  constexpr double kStartUpSeconds = 5;
  const auto started = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  };
  long idle_max_kib = -1;
  long rss_kib = -1;
  for (double next = std::min(kStartUpSeconds, seconds);; next += 1) {
    next = std::min(next, seconds);
    std::this_thread::sleep_for(std::chrono::duration<double>(next - elapsed()));
    rss_kib = statusField(pid, "VmRSS");
    idle_max_kib = std::max(idle_max_kib, rss_kib);
    if (next >= seconds || rss_kib < 0) break;
  }
  long anon_kib = statusField(pid, "RssAnon");
  long file_kib = statusField(pid, "RssFile");
  long hwm_kib = statusField(pid, "VmHWM");
  long threads = statusField(pid, "Threads");

  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  int exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (rss_kib < 0 || exit_code != 0) {
    std::fprintf(stderr, "idle_rss_bench: orion exited with %d; its log:\n", exit_code);
    std::ifstream log(log_path);
    std::fprintf(stderr, "%s", std::string(std::istreambuf_iterator<char>(log), {}).c_str());
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);

  auto mib = [](long kib) { return static_cast<double>(kib) / 1024.0; };
  std::printf(
      "{\"idle_rss_mib\": %.2f, \"end_rss_mib\": %.2f, \"end_rss_anon_mib\": %.2f, "
      "\"end_rss_file_mib\": %.2f, \"peak_rss_mib\": %.2f, \"threads\": %ld, "
      "\"seconds\": %.0f, \"exit_code\": %d}\n",
      mib(idle_max_kib), mib(rss_kib), mib(anon_kib), mib(file_kib), mib(hwm_kib), threads, seconds,
      exit_code);
  return rss_kib >= 0 && exit_code == 0 ? 0 : 1;
}
