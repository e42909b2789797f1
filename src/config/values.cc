#include "config/values.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <optional>

#include "common/time.h"
#include "config/config.h"

namespace orion::config {

namespace {

using std::chrono::milliseconds;

Status expected(std::string_view what, std::string_view text) {
  return invalidArgument("expected " + std::string(what) + ", got '" + std::string(text) + "'");
}

std::string integerRange(int64_t min, int64_t max) {
  if (max == std::numeric_limits<int64_t>::max()) return "of at least " + std::to_string(min);
  return "from " + std::to_string(min) + " to " + std::to_string(max);
}

std::string numberRange(double min, double max) {
  if (max == std::numeric_limits<double>::max()) return "of at least " + formatNumber(min);
  return "from " + formatNumber(min) + " to " + formatNumber(max);
}

// Seconds per duration unit, or a negative number for an unknown unit. Only used to bound a
// segment before parseDuration converts it: converting an out-of-range double to nanoseconds
// would overflow.
double secondsPerUnit(std::string_view unit) {
  if (unit.empty() || unit == "s") return 1;
  if (unit == "ms") return 0.001;
  if (unit == "m") return 60;
  if (unit == "h") return 3600;
  if (unit == "d") return 86400;
  return -1;
}

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// The part of a redis URL after "redis://" without the password, for error messages.
std::string redactUrl(std::string_view text) {
  auto at = text.rfind('@');
  if (at == std::string_view::npos) return std::string(text);
  auto scheme = text.find("://");
  std::string_view head = scheme == std::string_view::npos ? "" : text.substr(0, scheme + 3);
  return std::string(head) + "***@" + std::string(text.substr(at + 1));
}

// Splits "host:port" / "[v6]:port"; the port part is empty when there is no colon.
bool splitHostPort(std::string_view text, std::string_view& host, std::string_view& port) {
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos) return false;
    host = text.substr(1, close - 1);
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return false;
    port = rest.empty() ? rest : rest.substr(1);
    return true;
  }
  auto colon = text.rfind(':');
  host = colon == std::string_view::npos ? text : text.substr(0, colon);
  port = colon == std::string_view::npos ? std::string_view() : text.substr(colon + 1);
  return host.find(':') == std::string_view::npos;
}

bool validHost(std::string_view host) {
  if (host.empty()) return false;
  for (char c : host) {
    if (c == ' ' || c == '\t' || c == '/' || c == '@' || c == '[' || c == ']') return false;
  }
  return true;
}

}  // namespace

std::vector<std::string> splitListText(std::string_view text) {
  std::vector<std::string> items;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string_view item =
        trim(text.substr(start, comma == std::string_view::npos ? text.npos : comma - start));
    if (!item.empty()) items.emplace_back(item);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return items;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::string toLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string toUpper(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

std::string formatNumber(double value) {
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  if (ec != std::errc()) return "?";
  return std::string(buffer, end);
}

Result<bool> parseBoolText(std::string_view text) {
  std::string lower = toLower(trim(text));
  if (lower == "true" || lower == "yes" || lower == "on") return true;
  if (lower == "false" || lower == "no" || lower == "off") return false;
  return expected("true or false", text);
}

Result<int64_t> parseIntegerText(std::string_view text, int64_t min, int64_t max) {
  std::string_view t = trim(text);
  int64_t value = 0;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
  if (t.empty() || ec != std::errc() || end != t.data() + t.size() || value < min || value > max) {
    return expected("an integer " + integerRange(min, max), text);
  }
  return value;
}

Result<double> parseNumberText(std::string_view text, double min, double max) {
  std::string_view t = trim(text);
  double value = 0;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
  if (t.empty() || ec != std::errc() || end != t.data() + t.size() || !std::isfinite(value) ||
      value < min || value > max) {
    return expected("a number " + numberRange(min, max), text);
  }
  return value;
}

Result<Duration> parseDurationText(std::string_view text, Duration min, Duration max) {
  std::string_view t = trim(text);
  Status not_a_duration = expected("a duration such as 15s", text);
  if (t.empty()) return not_a_duration;
  Duration total{0};
  double total_seconds = 0;
  size_t pos = 0;
  while (pos < t.size()) {
    size_t start = pos;
    while (pos < t.size() && (isDigit(t[pos]) || t[pos] == '.')) ++pos;
    size_t unit_start = pos;
    while (pos < t.size() && isLetter(t[pos])) ++pos;
    std::string_view number_text = t.substr(start, unit_start - start);
    std::string_view unit = t.substr(unit_start, pos - unit_start);
    double per_unit = secondsPerUnit(unit);
    double number = 0;
    auto [end, ec] =
        std::from_chars(number_text.data(), number_text.data() + number_text.size(), number);
    bool bare = unit.empty() && (start != 0 || pos != t.size());  // "5" only on its own
    if (number_text.empty() || ec != std::errc() ||
        end != number_text.data() + number_text.size() || per_unit < 0 || bare) {
      return not_a_duration;
    }
    total_seconds += number * per_unit;
    if (total_seconds > 1e9) break;  // ~31 years: out of range below, without overflowing
    auto segment = parseDuration(t.substr(start, pos - start));
    if (!segment) return not_a_duration;
    total += *segment;
  }
  if (total_seconds <= 1e9 && total % milliseconds(1) != Duration::zero()) {
    return expected("a duration in whole milliseconds", text);
  }
  if (total_seconds > 1e9 || total < min || total > max) {
    std::string range = min == Duration::zero()
                            ? "of at most " + formatDuration(max)
                            : "from " + formatDuration(min) + " to " + formatDuration(max);
    return expected("a duration " + range, text);
  }
  return total;
}

Status checkListenAddress(std::string_view text) {
  Status bad = expected("host:port with a port from 1 to 65535, such as 127.0.0.1:9750", text);
  std::string_view host;
  std::string_view port;
  if (!splitHostPort(text, host, port) || !validHost(host) || port.empty()) return bad;
  if (!parseIntegerText(port, 1, 65535).isOk() || trim(port).size() != port.size()) return bad;
  return Status::ok();
}

namespace {

// %XX escapes in the user and password of a URL (a password may hold '@', ':' or '/').
bool percentDecode(std::string_view text, std::string& out) {
  out.clear();
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    int value = 0;
    if (i + 2 >= text.size()) return false;
    auto [end, error] = std::from_chars(text.data() + i + 1, text.data() + i + 3, value, 16);
    if (error != std::errc() || end != text.data() + i + 3) return false;
    out += static_cast<char>(value);
    i += 2;
  }
  return true;
}

// "[user:password@]" of a URL, percent-decoded into `url`; false when it is malformed.
bool parseUserInfo(std::string_view userinfo, RedisUrl& url) {
  auto colon = userinfo.find(':');
  std::string_view user = userinfo.substr(0, colon);
  std::string_view password =
      colon == std::string_view::npos ? std::string_view() : userinfo.substr(colon + 1);
  return percentDecode(user, url.user) && percentDecode(password, url.password);
}

// unix://[user:password@]/path/to/redis.sock[?db=N], after "unix://".
std::optional<RedisUrl> parseUnixUrl(std::string_view rest) {
  auto slash = rest.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  RedisUrl url;
  std::string_view userinfo = rest.substr(0, slash);
  if (!userinfo.empty()) {
    if (userinfo.back() != '@' || !parseUserInfo(userinfo.substr(0, userinfo.size() - 1), url)) {
      return std::nullopt;
    }
  }
  std::string_view path = rest.substr(slash);
  auto query = path.find('?');
  if (query != std::string_view::npos) {
    std::string_view db = path.substr(query + 1);
    path = path.substr(0, query);
    if (!db.starts_with("db=")) return std::nullopt;
    auto parsed = parseIntegerText(db.substr(3), 0, 15);
    if (!parsed) return std::nullopt;
    url.db = static_cast<int>(*parsed);
  }
  // sockaddr_un holds 107 bytes of path and its NUL.
  if (path.size() < 2 || path.size() > 107 || path.find('\0') != std::string_view::npos) {
    return std::nullopt;
  }
  url.socket = std::string(path);
  url.host.clear();
  url.port = 0;
  return url;
}

}  // namespace

Result<RedisUrl> parseRedisUrl(std::string_view text) {
  Status bad = expected(
      "\"\" (the embedded bus), redis://[user:password@]host[:port][/db] or "
      "unix://[user:password@]/path/to/redis.sock[?db=N]",
      redactUrl(text));
  if (text.starts_with("unix://")) {
    std::optional<RedisUrl> url = parseUnixUrl(text.substr(7));
    if (!url) return bad;
    return *url;
  }
  if (text.starts_with("rediss://")) {
    return invalidArgument(
        "rediss:// (Redis over TLS) is not supported: Debian 12's hiredis 0.14 has no TLS. Reach "
        "Redis through a TLS tunnel (stunnel, WireGuard, ssh -L) and use redis://, got '" +
        redactUrl(text) + "'");
  }
  constexpr std::string_view kScheme = "redis://";
  if (!text.starts_with(kScheme)) return bad;
  std::string_view rest = text.substr(kScheme.size());
  auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view db = slash == std::string_view::npos ? "" : rest.substr(slash + 1);
  auto at = authority.rfind('@');
  std::string_view host_port = at == std::string_view::npos ? authority : authority.substr(at + 1);
  std::string_view host;
  std::string_view port;
  if (!splitHostPort(host_port, host, port) || !validHost(host)) return bad;
  RedisUrl url;
  url.host = std::string(host);
  if (!port.empty()) {
    auto parsed = parseIntegerText(port, 1, 65535);
    if (!parsed) return bad;
    url.port = static_cast<int>(*parsed);
  }
  if (slash != std::string_view::npos) {
    auto parsed = parseIntegerText(db, 0, 15);
    if (!parsed) return bad;
    url.db = static_cast<int>(*parsed);
  }
  if (at != std::string_view::npos && !parseUserInfo(authority.substr(0, at), url)) return bad;
  return url;
}

Status checkBusUrl(std::string_view text) {
  if (text.empty()) return Status::ok();
  return parseRedisUrl(text).status();
}

}  // namespace orion::config
