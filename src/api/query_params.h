// The query parameters of the read API (docs/api.md, "Read API"), parsed and checked before a
// route does any work. Every problem is a ParamError naming the parameter, which the route sends
// as a 400 with `field` set; a parameter the route does not take is an error too, so a typo
// (`?limt=5`) is never silently ignored.
//
// Pure functions, any thread.
#pragma once

#include <httplib.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "memory/memory.h"

namespace orion::api {

struct ParamError {
  std::string field;
  std::string message;
};

// Sends the 400 for `error`.
void sendParamError(httplib::Response& response, const ParamError& error);

inline constexpr size_t kDefaultLimit = 50;
inline constexpr size_t kMaxLimit = 500;

// What every list takes: limit (1..500, default 50), cursor (from a previous page's `next`),
// node, service, since and until (RFC 3339 with an offset). The filter selects one page newest
// first, with one record more than `limit` to tell whether there is a next page.
struct ListQuery {
  memory::QueryFilter filter;
  size_t limit = kDefaultLimit;
};

// `extra` names the route's own parameters (read with param()); any other name is an error.
std::optional<ParamError> parseListQuery(const httplib::Request& request,
                                         std::initializer_list<std::string_view> extra,
                                         ListQuery& out);

// Rejects every parameter not in `allowed`.
std::optional<ParamError> onlyParams(const httplib::Request& request,
                                     std::initializer_list<std::string_view> allowed);

// The value of a parameter given once; "" when absent. A parameter given twice is an error
// (which one would count?).
std::optional<ParamError> param(const httplib::Request& request, std::string_view name,
                                std::string& value);

// A comma-separated list ("incident,decision"), without empty items; empty when absent.
std::optional<ParamError> listParam(const httplib::Request& request, std::string_view name,
                                    std::vector<std::string>& values);

// The opaque cursor that continues a newest-first list below `seq`, and back.
std::string cursorFor(uint64_t seq);
std::optional<uint64_t> seqOfCursor(std::string_view cursor);

}  // namespace orion::api
