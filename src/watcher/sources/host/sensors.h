// Temperature sensors under <sys_root>: every thermal zone (class/thermal/thermal_zone*/temp,
// named by its `type`) and every hwmon input (class/hwmon/hwmon*/temp*_input, named by the chip's
// `name` and the input's `_label`, or tempN). Machines without any (most VMs, containers) simply
// have none; that is not an error.
//
// Discovery walks directories, so it runs once and again only when a sensor vanishes; a sample
// then reads one small file per sensor. Called on the host source's sampling thread only.
#pragma once

#include <string>
#include <vector>

namespace orion::watcher::host {

struct Sensor {
  std::string name;  // "thermal_zone0:x86_pkg_temp", "coretemp:Core 0"
  std::string path;  // the file holding millidegrees Celsius
};

// The sensors present under `sys_root`, sorted by name.
std::vector<Sensor> discoverSensors(const std::string& sys_root);

}  // namespace orion::watcher::host
