#include "watcher/sources/host/sensors.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace orion::watcher::host {
namespace {

namespace fs = std::filesystem;

// The first line of a small sysfs file ("" when it cannot be read).
std::string firstLine(const fs::path& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  while (!line.empty() && (line.back() == '\n' || line.back() == ' ')) line.pop_back();
  return line;
}

// Entries of `dir` whose name starts with `prefix`; nothing when it does not exist.
std::vector<fs::path> entries(const fs::path& dir, std::string_view prefix) {
  std::vector<fs::path> out;
  std::error_code error;
  for (fs::directory_iterator it(dir, error), end; !error && it != end; it.increment(error)) {
    std::string name = it->path().filename().string();
    if (name.compare(0, prefix.size(), prefix) == 0) out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

std::vector<Sensor> discoverSensors(const std::string& sys_root) {
  std::vector<Sensor> sensors;
  for (const fs::path& zone : entries(fs::path(sys_root) / "class/thermal", "thermal_zone")) {
    if (!fs::exists(zone / "temp")) continue;
    std::string type = firstLine(zone / "type");
    std::string name = zone.filename().string() + (type.empty() ? "" : ":" + type);
    sensors.push_back({name, (zone / "temp").string()});
  }
  for (const fs::path& chip : entries(fs::path(sys_root) / "class/hwmon", "hwmon")) {
    std::string chip_name = firstLine(chip / "name");
    if (chip_name.empty()) chip_name = chip.filename().string();
    for (const fs::path& input : entries(chip, "temp")) {
      std::string file = input.filename().string();
      const std::string suffix = "_input";
      if (file.size() <= suffix.size() || file.substr(file.size() - suffix.size()) != suffix) {
        continue;
      }
      std::string base = file.substr(0, file.size() - suffix.size());
      std::string label = firstLine(chip / (base + "_label"));
      sensors.push_back({chip_name + ":" + (label.empty() ? base : label), input.string()});
    }
  }
  std::sort(sensors.begin(), sensors.end(),
            [](const Sensor& a, const Sensor& b) { return a.name < b.name; });
  return sensors;
}

}  // namespace orion::watcher::host
