#include "api/query_params.h"

#include <algorithm>
#include <charconv>

#include "api/http_json.h"
#include "common/time.h"

namespace orion::api {
namespace {

// Ids, node and service names, types: printable, no control characters, not absurdly long.
std::optional<ParamError> plainText(std::string_view name, std::string_view value) {
  if (value.size() > 256) return ParamError{std::string(name), "longer than 256 characters"};
  for (char c : value) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return ParamError{std::string(name), "contains a control character"};
    }
  }
  return std::nullopt;
}

std::optional<ParamError> timeParam(const httplib::Request& request, std::string_view name,
                                    std::optional<WallTime>& out) {
  std::string text;
  if (auto error = param(request, name, text)) return error;
  if (text.empty()) return std::nullopt;
  Result<WallTime> at = parseRfc3339(text);
  if (!at) {
    return ParamError{std::string(name),
                      at.status().message() + " (expected e.g. 2026-01-14T12:00:00Z)"};
  }
  out = *at;
  return std::nullopt;
}

std::optional<ParamError> textParam(const httplib::Request& request, std::string_view name,
                                    std::optional<std::string>& out) {
  std::string text;
  if (auto error = param(request, name, text)) return error;
  if (request.has_param(std::string(name).c_str()) && text.empty()) {
    return ParamError{std::string(name), "is empty"};
  }
  if (text.empty()) return std::nullopt;
  if (auto error = plainText(name, text)) return error;
  out = std::move(text);
  return std::nullopt;
}

std::optional<ParamError> rejectUnknown(const httplib::Request& request,
                                        const std::vector<std::string_view>& allowed) {
  for (const auto& [name, value] : request.params) {
    if (std::find(allowed.begin(), allowed.end(), name) != allowed.end()) continue;
    if (name.empty()) return ParamError{"", "a parameter without a name (such as '?=5')"};
    std::string known;
    for (std::string_view a : allowed) known += (known.empty() ? "" : ", ") + std::string(a);
    return ParamError{name,
                      "unknown parameter" + (known.empty() ? std::string(" (this route takes none)")
                                                           : " (this route takes " + known + ")")};
  }
  return std::nullopt;
}

}  // namespace

void sendParamError(httplib::Response& response, const ParamError& error) {
  sendError(response, 400, "invalid_argument",
            error.field.empty() ? error.message : error.field + ": " + error.message, error.field);
}

std::optional<ParamError> onlyParams(const httplib::Request& request,
                                     std::initializer_list<std::string_view> allowed) {
  return rejectUnknown(request, std::vector<std::string_view>(allowed));
}

std::optional<ParamError> param(const httplib::Request& request, std::string_view name,
                                std::string& value) {
  std::string key(name);
  size_t count = request.get_param_value_count(key.c_str());
  if (count > 1) return ParamError{key, "given more than once"};
  value = count == 1 ? request.get_param_value(key.c_str()) : std::string();
  return std::nullopt;
}

std::optional<ParamError> listParam(const httplib::Request& request, std::string_view name,
                                    std::vector<std::string>& values) {
  std::string text;
  if (auto error = param(request, name, text)) return error;
  if (auto error = plainText(name, text)) return error;
  values.clear();
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = std::min(text.find(',', start), text.size());
    if (comma > start) values.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return std::nullopt;
}

std::string cursorFor(uint64_t seq) { return "s" + std::to_string(seq); }

std::optional<uint64_t> seqOfCursor(std::string_view cursor) {
  if (cursor.size() < 2 || cursor.front() != 's') return std::nullopt;
  uint64_t seq = 0;
  auto [end, error] = std::from_chars(cursor.data() + 1, cursor.data() + cursor.size(), seq);
  if (error != std::errc() || end != cursor.data() + cursor.size() || seq == 0) {
    return std::nullopt;
  }
  return seq;
}

std::optional<ParamError> parseListQuery(const httplib::Request& request,
                                         std::initializer_list<std::string_view> extra,
                                         ListQuery& out) {
  std::vector<std::string_view> allowed = {"limit", "cursor", "node", "service", "since", "until"};
  allowed.insert(allowed.end(), extra.begin(), extra.end());
  if (auto error = rejectUnknown(request, allowed)) return error;
  std::string text;
  if (auto error = param(request, "limit", text)) return error;
  out.limit = kDefaultLimit;
  if (request.has_param("limit")) {
    size_t limit = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), limit);
    if (text.empty() || error != std::errc() || end != text.data() + text.size() || limit < 1 ||
        limit > kMaxLimit) {
      return ParamError{
          "limit", "'" + text + "' is not a whole number from 1 to " + std::to_string(kMaxLimit)};
    }
    out.limit = limit;
  }
  if (auto error = param(request, "cursor", text)) return error;
  if (request.has_param("cursor")) {
    std::optional<uint64_t> seq = seqOfCursor(text);
    if (!seq) return ParamError{"cursor", "not a cursor this API gave out (use a page's `next`)"};
    out.filter.before_seq = *seq;
  }
  if (auto error = textParam(request, "node", out.filter.node)) return error;
  if (auto error = textParam(request, "service", out.filter.service)) return error;
  if (auto error = timeParam(request, "since", out.filter.since)) return error;
  if (auto error = timeParam(request, "until", out.filter.until)) return error;
  if (out.filter.since && out.filter.until && *out.filter.until <= *out.filter.since) {
    return ParamError{"until", "must be later than since"};
  }
  out.filter.limit = out.limit + 1;
  out.filter.newest_first = true;
  return std::nullopt;
}

}  // namespace orion::api
