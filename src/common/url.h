// Splitting a URL for HTTP clients that take an origin and a request target separately
// (cpp-httplib). Pure; safe from any thread.
#pragma once

#include <string>

namespace orion {

// "https://host:port/path?q" → origin "https://host:port", target "/path?q" ("/" when the URL
// has no path). False when `url` has no "scheme://" or no host.
bool splitUrl(const std::string& url, std::string& origin, std::string& target);

}  // namespace orion
