#include "api/request_body.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "api/http_json.h"

namespace orion::api {
namespace {

std::string lowered(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// "application/json; charset=utf-8" → "application/json".
std::string mediaType(const std::string& content_type) {
  std::string type = content_type.substr(0, content_type.find(';'));
  size_t begin = type.find_first_not_of(" \t");
  if (begin == std::string::npos) return "";
  return lowered(type.substr(begin, type.find_last_not_of(" \t") - begin + 1));
}

HttpError tooLarge(size_t max_bytes) {
  return {413, "payload_too_large",
          "the request body is larger than " + std::to_string(max_bytes) + " bytes", ""};
}

HttpError invalid(std::string message, std::string field = "") {
  return {400, "invalid_argument", std::move(message), std::move(field)};
}

std::optional<HttpError> checkFields(const Json& body, const std::vector<BodyField>& fields) {
  std::string known;
  for (const BodyField& field : fields) known += (known.empty() ? "" : ", ") + field.name;
  for (const auto& [key, value] : body.items()) {
    auto it = std::find_if(fields.begin(), fields.end(),
                           [&key = key](const BodyField& field) { return field.name == key; });
    if (it == fields.end()) {
      return invalid("unknown key '" + key + "' (expected " + known + ")", key);
    }
    bool right = it->type == BodyField::Type::kString ? value.is_string() : value.is_boolean();
    if (!right) {
      return invalid(key + ": expected " +
                         (it->type == BodyField::Type::kString ? "a string" : "true or false") +
                         ", got " + value.type_name(),
                     key);
    }
  }
  for (const BodyField& field : fields) {
    if (field.required && !body.contains(field.name)) {
      return invalid(field.name + ": missing (expected " + known + ")", field.name);
    }
  }
  return std::nullopt;
}

// The declared Content-Length; nullopt when absent; SIZE_MAX when unreadable or huge.
std::optional<size_t> declaredLength(const httplib::Request& request) {
  std::string length = request.get_header_value("Content-Length");
  if (length.empty()) return std::nullopt;
  size_t declared = 0;
  auto [end, error] = std::from_chars(length.data(), length.data() + length.size(), declared);
  if (error != std::errc() || end != length.data() + length.size()) return SIZE_MAX;
  return declared;
}

}  // namespace

void sendError(httplib::Response& response, const HttpError& error) {
  sendError(response, error.status, error.code, error.message, error.field);
}

void RequestBody::drain() {
  if (read_) return;
  read_ = true;
  auto declared = declaredLength(request_);
  if (declared && (*declared == 0 || *declared > kMaxDrainedBytes)) return;
  size_t total = 0;
  (void)reader_([&total](const char*, size_t size) {
    total += size;
    return total <= kMaxDrainedBytes;
  });
}

ParsedBody RequestBody::parse(const std::vector<BodyField>& fields, size_t max_bytes) {
  ParsedBody parsed;
  std::string type = mediaType(request_.get_header_value("Content-Type"));
  if (type != "application/json") {
    parsed.error = HttpError{415, "unsupported_media_type",
                             "expected Content-Type: application/json, got '" +
                                 request_.get_header_value("Content-Type") + "'",
                             ""};
    return parsed;
  }
  // A declared length over the limit is refused before the body is read (drain() then reads
  // and discards a moderately large one).
  if (auto declared = declaredLength(request_); declared && *declared > max_bytes) {
    parsed.error = tooLarge(max_bytes);
    return parsed;
  }
  read_ = true;
  std::string text;
  bool too_large = false;
  bool read = reader_([&](const char* data, size_t size) {
    if (text.size() + size > max_bytes) {
      too_large = true;
      return false;
    }
    text.append(data, size);
    return true;
  });
  if (too_large) {
    parsed.error = tooLarge(max_bytes);
    return parsed;
  }
  if (!read) {
    parsed.error = invalid("the request body could not be read");
    return parsed;
  }
  Json body = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) {
    parsed.error = invalid(text.empty() ? "the request body is empty: expected a JSON object"
                                        : "the request body is not JSON");
    return parsed;
  }
  if (!body.is_object()) {
    parsed.error =
        invalid(std::string("the request body must be a JSON object, got ") + body.type_name());
    return parsed;
  }
  parsed.error = checkFields(body, fields);
  parsed.body = std::move(body);
  return parsed;
}

}  // namespace orion::api
