// JSON responses of the API, one shape for every error (docs/api.md, "Errors"):
//   {"error": {"code": "invalid_argument", "message": "…", "field": "reason"}}
// `field` names the request field that is wrong ("" when the error is not about one field).
#pragma once

#include <httplib.h>

#include <string>
#include <string_view>

#include "common/json.h"
#include "common/status.h"

namespace orion::api {

void sendJson(httplib::Response& response, const Json& body, int status = 200);
void sendError(httplib::Response& response, int status, std::string_view code,
               std::string_view message, std::string_view field = {});
// The HTTP status for a Status code (kInvalidArgument 400, kNotFound 404, kPermissionDenied 403,
// kFailedPrecondition 409, kUnavailable 503, …) and the error body with the Status's message.
void sendStatus(httplib::Response& response, const Status& status, std::string_view field = {});
int httpStatusFor(StatusCode code);

}  // namespace orion::api
