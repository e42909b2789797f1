#include "signing/secret_file.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace orion::signing {

Result<std::string> readSecretFile(const std::filesystem::path& file, std::string_view what) {
  std::string name = std::string(what) + " " + file.string();
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) {
    std::string message = "reading " + name + ": " + std::strerror(errno);
    return errno == ENOENT ? notFound(message) : unavailable(message);
  }
  if ((st.st_mode & 077) != 0) {
    return Status(StatusCode::kPermissionDenied,
                  name + " is readable or writable by group or others; chmod 600 it");
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) return unavailable("reading " + name + ": " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  std::string secret = text.str();
  if (!secret.empty() && secret.back() == '\n') secret.pop_back();
  if (!secret.empty() && secret.back() == '\r') secret.pop_back();
  return secret;
}

}  // namespace orion::signing
