#include "common/process_metrics.h"

#include <dirent.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include "common/build_info.h"

namespace orion {

namespace {

double bootTimeSeconds() {
  std::ifstream stat("/proc/stat");
  std::string line;
  while (std::getline(stat, line)) {
    if (line.rfind("btime ", 0) == 0) return std::stod(line.substr(6));
  }
  return 0;
}

double countOpenFds() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return 0;
  double count = 0;
  while (dirent* entry = readdir(dir)) {
    if (entry->d_name[0] != '.') ++count;
  }
  closedir(dir);
  return count - 1;  // the directory stream's own descriptor
}

}  // namespace

ProcessSample sampleProcess(bool with_start_time) {
  ProcessSample sample;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  std::ifstream statm("/proc/self/statm");
  double size_pages = 0;
  double resident_pages = 0;
  if (statm >> size_pages >> resident_pages) {
    sample.virtual_bytes = size_pages * page;
    sample.resident_bytes = resident_pages * page;
  }
  // /proc/self/stat: "pid (comm) state ppid …"; comm may hold spaces and parentheses, so the
  // fields are counted from the last ')'. utime and stime are fields 14 and 15, num_threads 20,
  // starttime 22 (1-based, as proc(5) numbers them).
  std::ifstream stat_file("/proc/self/stat");
  std::string stat((std::istreambuf_iterator<char>(stat_file)), std::istreambuf_iterator<char>());
  size_t close = stat.rfind(')');
  if (close != std::string::npos) {
    std::istringstream fields(stat.substr(close + 2));
    std::string field;
    for (int number = 3; fields >> field; ++number) {
      if (number == 14) sample.cpu_seconds += std::stod(field) / ticks;
      if (number == 15) sample.cpu_seconds += std::stod(field) / ticks;
      if (number == 20) sample.threads = std::stod(field);
      if (number == 22) {
        if (with_start_time)
          sample.start_time_seconds = bootTimeSeconds() + std::stod(field) / ticks;
        break;
      }
    }
  }
  sample.open_fds = countOpenFds();
  return sample;
}

uint64_t addProcessMetrics(MetricsRegistry& registry) {
  Gauge& resident = registry.gauge("orion_process_resident_memory_bytes",
                                   "Resident memory of the ORION process.");
  Gauge& virtual_memory =
      registry.gauge("orion_process_virtual_memory_bytes", "Virtual memory of the ORION process.");
  Gauge& cpu = registry.gauge("orion_process_cpu_seconds",
                              "User and system CPU time used since start (use rate()).");
  Gauge& fds = registry.gauge("orion_process_open_fds", "Open file descriptors.");
  Gauge& threads = registry.gauge("orion_process_threads", "Threads of the ORION process.");
  registry
      .gauge("orion_process_start_time_seconds",
             "When the process started, in seconds since the Unix epoch.")
      .set(sampleProcess().start_time_seconds);
  registry
      .gauge(
          "orion_build_info", "Always 1: the version and build type of this binary.",
          {{"version", std::string(orionVersion())}, {"build_type", std::string(orionBuildType())}})
      .set(1);
  return registry.addCollector([&resident, &virtual_memory, &cpu, &fds, &threads] {
    ProcessSample sample = sampleProcess(false);
    resident.set(sample.resident_bytes);
    virtual_memory.set(sample.virtual_bytes);
    cpu.set(sample.cpu_seconds);
    fds.set(sample.open_fds);
    threads.set(sample.threads);
  });
}

}  // namespace orion
