// Names the calling thread, so that `top -H`, `ps -L`, perf and gdb show which part of ORION a
// thread belongs to ("guardian-sweep", "bus-writer", …) instead of 35 threads called "orion".
// Linux keeps at most 15 bytes of a name: a longer one is cut there. Naming is best effort: a
// failure changes nothing else.
#pragma once

#include <string>
#include <string_view>

namespace orion {

void nameThisThread(std::string_view name);

// The calling thread's name ("" when it cannot be read).
std::string thisThreadName();

}  // namespace orion
