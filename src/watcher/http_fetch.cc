#include "watcher/http_fetch.h"

#include <httplib.h>

#include "common/url.h"

namespace orion::watcher {
namespace {

std::string describe(httplib::Error error) {
  switch (error) {
    case httplib::Error::Connection:
      return "could not connect (refused, unreachable or timed out)";
    case httplib::Error::Read:
      return "reading the answer failed";
    case httplib::Error::Write:
      return "sending the request failed";
    case httplib::Error::SSLConnection:
      return "TLS handshake failed";
    case httplib::Error::SSLServerVerification:
      return "the server's TLS certificate did not verify";
    default:
      return "HTTP client error: " + httplib::to_string(error);
  }
}

}  // namespace

std::string urlEncoded(std::string_view text) {
  return httplib::detail::encode_query_param(std::string(text));
}

Result<HttpFetched> fetchHttp(const HttpFetch& request, const Clock& clock) {
  std::string origin;
  std::string target;
  if (!splitUrl(request.url, origin, target)) {
    return invalidArgument("cannot split URL '" + request.url + "'");
  }
  try {
    httplib::Client client(origin);
    if (!client.is_valid()) return invalidArgument("unsupported URL '" + request.url + "'");
    auto seconds = std::chrono::duration_cast<std::chrono::microseconds>(request.timeout);
    time_t whole = static_cast<time_t>(seconds.count() / 1'000'000);
    time_t micros = static_cast<time_t>(seconds.count() % 1'000'000);
    client.set_connection_timeout(whole, micros);
    client.set_read_timeout(whole, micros);
    client.set_write_timeout(whole, micros);
    client.set_keep_alive(false);
    client.set_follow_location(false);
#ifdef CPPHTTPLIB_OPENSSL_SUPPORT
    client.enable_server_certificate_verification(request.verify_tls);
#endif
    HttpFetched fetched;
    auto receive = [&](const char* data, size_t length) {
      size_t room = request.max_body - std::min(request.max_body, fetched.body.size());
      fetched.body.append(data, std::min(room, length));
      if (length > room) fetched.truncated = true;
      return !fetched.truncated;
    };
    MonoTime started = clock.monotonic();
    httplib::Headers headers = {{"User-Agent", "orion-watcher"}};
    const std::string& method = request.method;
    if (method != "GET" && method != "HEAD" && method != "POST" && method != "PUT" &&
        method != "OPTIONS") {
      return invalidArgument("unsupported HTTP method '" + method + "'");
    }
    httplib::Result result = method == "GET"    ? client.Get(target, headers, receive)
                             : method == "HEAD" ? client.Head(target, headers)
                             : method == "POST" ? client.Post(target, headers, "", "text/plain")
                             : method == "PUT"  ? client.Put(target, headers, "", "text/plain")
                                                : client.Options(target, headers);
    fetched.latency = clock.monotonic() - started;
    if (!result && !(result.error() == httplib::Error::Canceled && fetched.truncated)) {
      std::string reason = describe(result.error());
      if (result.error() == httplib::Error::Read || result.error() == httplib::Error::Connection) {
        if (fetched.latency >= request.timeout) {
          return Status(StatusCode::kDeadlineExceeded,
                        "no answer within the timeout (" + reason + ")");
        }
      }
      return unavailable(reason);
    }
    if (result) {
      fetched.status = result->status;
      if (request.method != "GET") fetched.body = result->body.substr(0, request.max_body);
    }
    return fetched;
  } catch (const std::exception& e) {
    return unavailable(std::string("HTTP client: ") + e.what());
  }
}

}  // namespace orion::watcher
