// Fuzz target: the HTTP API's request parsing, on arbitrary bytes. The first byte picks what the
// rest is: 'B' a JSON admin body (Content-Type application/json), 't' the same bytes declared
// text/plain, anything else a query string for a read-API list.
//
// Oracles, beyond "no crash, no hang, no sanitizer report": a body is either refused with a
// 400/413/415 error that has a code and a message, or it is an object holding only the declared
// keys with their declared types and the required one present; a query is either refused naming
// the parameter, or gives a limit from 1 to 500.
#include <httplib.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "api/query_params.h"
#include "api/request_body.h"
#include "common/json.h"
#include "fuzz_check.h"

namespace {

using namespace orion;
using namespace orion::api;

const std::vector<BodyField>& forceFields() {
  static const std::vector<BodyField> fields = {
      {"reason", BodyField::Type::kString, true},
      {"override_cooldown", BodyField::Type::kBool, false},
      {"override_breaker", BodyField::Type::kBool, false}};
  return fields;
}

void fuzzBody(std::string_view bytes, bool json) {
  httplib::Request request;
  request.set_header("Content-Type", json ? "application/json; charset=utf-8" : "text/plain");
  request.set_header("Content-Length", std::to_string(bytes.size()));
  httplib::ContentReader reader(
      [bytes](httplib::ContentReceiver receiver) {
        // In two pieces, as a socket may deliver it.
        size_t half = bytes.size() / 2;
        return receiver(bytes.data(), half) && receiver(bytes.data() + half, bytes.size() - half);
      },
      [](httplib::MultipartContentHeader, httplib::ContentReceiver) { return false; });
  RequestBody body(request, reader);
  ParsedBody parsed = body.parse(forceFields());
  if (parsed.error) {
    const HttpError& error = *parsed.error;
    FUZZ_CHECK(error.status == 400 || error.status == 413 || error.status == 415,
               "a refused body is 400, 413 or 415");
    FUZZ_CHECK(!error.code.empty() && !error.message.empty(), "an error says what is wrong");
    FUZZ_CHECK(json || error.status == 415, "a text/plain body is refused for its type");
    httplib::Response response;
    sendError(response, error);
    Json sent = Json::parse(response.body, nullptr, false);
    FUZZ_CHECK(!sent.is_discarded() && sent["error"].is_object(),
               "the error is the JSON error shape, whatever the body's bytes");
    return;
  }
  FUZZ_CHECK(json, "only JSON is accepted");
  FUZZ_CHECK(parsed.body.is_object(), "an accepted body is an object");
  FUZZ_CHECK(parsed.body.contains("reason") && parsed.body["reason"].is_string(),
             "the required key is there with its type");
  for (const auto& [key, value] : parsed.body.items()) {
    bool declared = false;
    for (const BodyField& field : forceFields()) {
      if (field.name != key) continue;
      declared = true;
      FUZZ_CHECK(field.type == BodyField::Type::kString ? value.is_string() : value.is_boolean(),
                 "every key has its declared type");
    }
    FUZZ_CHECK(declared, "only declared keys are accepted");
  }
}

void fuzzQuery(std::string_view text) {
  httplib::Request request;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('&', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view pair = text.substr(start, end - start);
    size_t equals = pair.find('=');
    request.params.emplace(
        std::string(pair.substr(0, equals)),
        equals == std::string_view::npos
            ? std::string()
            : httplib::detail::decode_url(std::string(pair.substr(equals + 1)), true));
    start = end + 1;
  }
  ListQuery query;
  std::optional<ParamError> error = parseListQuery(request, {"state", "incident_id"}, query);
  if (error) {
    FUZZ_CHECK(!error->message.empty(), "a refused parameter is explained");
    FUZZ_CHECK(!error->field.empty() || request.params.count("") > 0,
               "a refused parameter is named (unless it has no name)");
    httplib::Response response;
    sendParamError(response, *error);
    Json sent = Json::parse(response.body, nullptr, false);
    FUZZ_CHECK(!sent.is_discarded() && sent["error"].is_object(),
               "the 400 is the JSON error shape, whatever the request's bytes");
    return;
  }
  FUZZ_CHECK(query.limit >= 1 && query.limit <= kMaxLimit, "the limit is within 1..500");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] == 'B' || data[0] == 't') {
    fuzzBody(rest, data[0] == 'B');
  } else {
    fuzzQuery(rest);
  }
  return 0;
}
