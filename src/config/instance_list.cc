#include "config/instance_list.h"

namespace orion::config {

std::string envSegment(std::string_view path) {
  std::string name = toUpper(path);
  for (char& c : name) {
    if (c == '.' || c == '-') c = '_';
  }
  return name;
}

Status checkInstanceName(std::string_view name) {
  bool ok = !name.empty() && name.size() <= 63 && name.front() != '-';
  for (char c : name) ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
  if (ok) return Status::ok();
  return invalidArgument(
      "expected a name of lower-case letters, digits and '-' (not first), at most 63 long, got '" +
      std::string(name) + "'");
}

}  // namespace orion::config
