#include "watcher/sources/process/process_check.h"

#include <dirent.h>

#include <charconv>
#include <fstream>
#include <sstream>

namespace orion::watcher::process {
namespace {

// The state letter of /proc/<pid>/stat (after the parenthesised comm), or '\0'.
char stateOf(const std::string& proc_root, std::string_view pid) {
  std::ifstream in(proc_root + "/" + std::string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t close = text.rfind(')');
  if (close == std::string::npos || close + 2 >= text.size()) return '\0';
  return text[close + 2];
}

std::string commOf(const std::string& proc_root, std::string_view pid) {
  std::ifstream in(proc_root + "/" + std::string(pid) + "/comm");
  std::string comm;
  std::getline(in, comm);
  return comm;
}

bool allDigits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

int64_t countByName(const std::string& proc_root, const std::string& name) {
  DIR* dir = ::opendir(proc_root.c_str());
  if (dir == nullptr) return 0;
  int64_t count = 0;
  while (dirent* entry = ::readdir(dir)) {
    std::string_view pid(entry->d_name);
    if (!allDigits(pid)) continue;
    if (commOf(proc_root, pid) != name) continue;
    char state = stateOf(proc_root, pid);
    if (state != '\0' && state != 'Z' && state != 'X') ++count;
  }
  ::closedir(dir);
  return count;
}

Result<int64_t> livePidFromFile(const std::string& proc_root, const std::string& pidfile) {
  std::ifstream in(pidfile);
  if (!in) return notFound("cannot read pidfile " + pidfile);
  std::string text;
  in >> text;
  int64_t pid = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), pid);
  if (ec != std::errc() || ptr != text.data() + text.size() || pid <= 0) {
    return invalidArgument(pidfile + ": expected a process id, got '" + text.substr(0, 40) + "'");
  }
  char state = stateOf(proc_root, std::to_string(pid));
  if (state == '\0')
    return notFound("process " + std::to_string(pid) + " from " + pidfile + " is not running");
  if (state == 'Z' || state == 'X') {
    return notFound("process " + std::to_string(pid) + " from " + pidfile + " is a zombie");
  }
  return pid;
}

ProcessCheck::ProcessCheck(config::ProcessCheckConfig config, SourceContext context)
    : config_(std::move(config)),
      context_(std::move(context)),
      reporter_(std::string(kEventSource), context_, serviceNameOf(config_, context_),
                config_.fire_after, config_.clear_after) {}

Status ProcessCheck::sample(WallTime now) {
  Json details{{"probe", "process"}};
  bool ok = false;
  if (!config_.pidfile.empty()) {
    details["target"] = config_.pidfile;
    Result<int64_t> pid = livePidFromFile(config_.proc_root, config_.pidfile);
    ok = pid.isOk();
    if (ok) {
      details["pid"] = *pid;
    } else {
      details["error"] = pid.status().message();
    }
  } else {
    details["target"] = config_.process_name;
    int64_t count = countByName(config_.proc_root, config_.process_name);
    details["count"] = count;
    ok = count >= config_.min_count;
    if (!ok) {
      details["error"] = std::to_string(count) + " process(es) named '" + config_.process_name +
                         "' running, expected at least " + std::to_string(config_.min_count);
    }
  }
  return reporter_.report(ok, std::move(details), now);
}

}  // namespace orion::watcher::process
