#include "common/url.h"

namespace orion {

bool splitUrl(const std::string& url, std::string& origin, std::string& target) {
  size_t scheme = url.find("://");
  if (scheme == std::string::npos) return false;
  size_t path = url.find('/', scheme + 3);
  origin = url.substr(0, path);
  target = path == std::string::npos ? "/" : url.substr(path);
  return origin.size() > scheme + 3;
}

}  // namespace orion
