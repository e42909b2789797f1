#include "api/http_json.h"

#include <cctype>

namespace orion::api {

void sendJson(httplib::Response& response, const Json& body, int status) {
  response.status = status;
  // Replace, not throw: an error may quote request text that is not valid UTF-8.
  response.set_content(body.dump(-1, ' ', false, Json::error_handler_t::replace),
                       "application/json");
}

void sendError(httplib::Response& response, int status, std::string_view code,
               std::string_view message, std::string_view field) {
  Json error{{"code", code}, {"message", message}};
  if (!field.empty()) error["field"] = field;
  sendJson(response, Json{{"error", std::move(error)}}, status);
}

int httpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition:
      return 409;
    case StatusCode::kResourceExhausted:
      return 429;
    case StatusCode::kUnavailable:
    case StatusCode::kCancelled:
      return 503;
    case StatusCode::kDeadlineExceeded:
      return 504;
    case StatusCode::kDataLoss:
    case StatusCode::kInternal:
      return 500;
  }
  return 500;
}

void sendStatus(httplib::Response& response, const Status& status, std::string_view field) {
  std::string code(statusCodeName(status.code()));
  for (char& c : code) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  sendError(response, httpStatusFor(status.code()), code, status.message(), field);
}

}  // namespace orion::api
