#include "config/text_file.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace orion::config {

Result<std::string> readTextFile(const std::filesystem::path& path, std::string_view kind) {
  std::error_code ec;
  auto status = std::filesystem::status(path, ec);
  std::string name = path.string();
  if (!std::filesystem::exists(status)) {
    return invalidArgument(name + ": " + std::string(kind) + " file not found");
  }
  if (std::filesystem::is_directory(status)) {
    return invalidArgument(name + ": expected a " + std::string(kind) + " file, got a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return invalidArgument(name + ": " + std::string(kind) +
                           " file cannot be read: " + std::strerror(errno));
  }
  std::ostringstream contents;
  contents << in.rdbuf();
  if (in.bad()) {
    return invalidArgument(name + ": " + std::string(kind) + " file cannot be read");
  }
  return contents.str();
}

}  // namespace orion::config
