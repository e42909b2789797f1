// The JSON body of an admin request, read and checked before anything acts on it
// (docs/api.md, "Admin endpoints"):
//   415 unsupported_media_type  Content-Type is not application/json (parameters such as
//                               charset=utf-8 are fine)
//   413 payload_too_large       more than kMaxAdminBodyBytes (refused from Content-Length before
//                               reading, or as soon as a chunked body passes it)
//   400 invalid_argument        not JSON, not an object, a key that is not one of `fields`, a
//                               value of the wrong type, a required key missing; `field` names
//                               the key
// Called on the API's worker threads; no shared state.
#pragma once

#include <httplib.h>

#include <optional>
#include <string>
#include <vector>

#include "common/json.h"

namespace orion::api {

inline constexpr size_t kMaxAdminBodyBytes = 16 * 1024;

// An error response: HTTP status, error code, message and the field it is about ("" for none).
struct HttpError {
  int status = 400;
  std::string code = "invalid_argument";
  std::string message;
  std::string field;
};
void sendError(httplib::Response& response, const HttpError& error);

struct BodyField {
  enum class Type { kString, kBool };
  std::string name;
  Type type = Type::kString;
  bool required = true;
};

// The body as a JSON object holding only `fields` of their types, or the error to answer.
struct ParsedBody {
  Json body = Json::object();
  std::optional<HttpError> error;
};

// The body of one request, read at most once. Owned by the handler for the request's duration.
class RequestBody {
 public:
  RequestBody(const httplib::Request& request, const httplib::ContentReader& reader)
      : request_(request), reader_(reader) {}

  ParsedBody parse(const std::vector<BodyField>& fields, size_t max_bytes = kMaxAdminBodyBytes);

  // Reads and discards what was not read (a refused request's body) when it is at most
  // kMaxDrainedBytes, so that the client reads the response instead of a connection reset; a
  // larger body is left unread and the connection closes.
  void drain();

 private:
  static constexpr size_t kMaxDrainedBytes = 1024 * 1024;
  const httplib::Request& request_;
  const httplib::ContentReader& reader_;
  bool read_ = false;
};

}  // namespace orion::api
