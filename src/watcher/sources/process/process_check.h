// `type: process`: is a process running, by command name (as /proc/<pid>/comm has it, like
// `pgrep -x`) or by pidfile (the pid it holds names a live, non-zombie process), as Monit checks
// it. Fewer than min_count matching processes for N consecutive samples publish `service_down`
// from "orion-watcher-process", M good samples after that `service_up`, with
// {probe: "process", target, count, pid, error}. Reads <proc_root>, so tests use their own tree.
// Runs on its own sampling thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "config/config.h"
#include "watcher/service_events.h"
#include "watcher/source.h"

namespace orion::watcher::process {

inline constexpr std::string_view kEventSource = "orion-watcher-process";

// Live (not zombie) processes under `proc_root` whose comm is `name`.
int64_t countByName(const std::string& proc_root, const std::string& name);
// The pid in `pidfile` if that process is alive (not a zombie); the error says why not.
Result<int64_t> livePidFromFile(const std::string& proc_root, const std::string& pidfile);

class ProcessCheck final : public Source {
 public:
  ProcessCheck(config::ProcessCheckConfig config, SourceContext context);

  std::string_view type() const override { return "process"; }
  Duration interval() const override { return config_.interval; }
  Status sample(WallTime now) override;

 private:
  config::ProcessCheckConfig config_;
  SourceContext context_;
  ProbeReporter reporter_;
};

}  // namespace orion::watcher::process
