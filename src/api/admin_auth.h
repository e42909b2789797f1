// The gate in front of every admin endpoint: the bearer token, the per-address limit on failed
// attempts, their metrics and their audit records (docs/api.md, "Admin endpoints").
//
//   no token configured              403 permission_denied (the admin endpoints are disabled)
//   the address is limited           429 resource_exhausted, Retry-After: <seconds>, even with
//                                    the right token
//   no/malformed/wrong token         401 unauthenticated, WWW-Authenticate: Bearer
//
// A failed attempt is audited as a `deadletter` on the bus (source "orion-api", stream
// "http:admin-auth", original_document: who, what was attempted, why refused; never the
// presented token), rate-limited as auth_limiter.h says.
//
// Metrics: orion_api_auth_failures_total{reason="missing|malformed|wrong"},
//          orion_api_auth_limited_total (requests refused with 429).
//
// Thread-safety: admit() runs on the API's worker threads concurrently.
#pragma once

#include <httplib.h>

#include <optional>

#include "api/admin_token.h"
#include "api/auth_limiter.h"
#include "api/route_group.h"

namespace orion::api {

class AdminAuth {
 public:
  AdminAuth(const ApiEnvironment& environment, std::optional<AdminToken> token,
            AuthLimits limits = {});

  // True when the request carries the admin token and may go on; otherwise `response` holds the
  // refusal.
  bool admit(const httplib::Request& request, httplib::Response& response);

  // Writes the summaries of every open window (the API is stopping).
  void flush();

 private:
  struct Attempt {
    const httplib::Request& request;
    std::string_view why;
  };
  void audit(const std::optional<Attempt>& attempt);

  const ApiEnvironment& environment_;
  std::optional<AdminToken> token_;
  AuthLimits limits_;
  AuthLimiter limiter_;
  Counter& missing_;
  Counter& malformed_;
  Counter& wrong_;
  Counter& limited_;
};

}  // namespace orion::api
