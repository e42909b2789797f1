// The HTTP/1.1 response side of the wire, independent of sockets so tests feed it bytes: a
// status line and headers, then a body framed by Content-Length, chunked transfer encoding or
// the end of the connection. Used by UnixHttpClient.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "common/status.h"

namespace orion::docker {

// Where response bytes come from. read() returns how many bytes it put in `buffer` (0 at the end
// of the stream) or an error (kDeadlineExceeded, kCancelled, kUnavailable).
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual Result<size_t> read(char* buffer, size_t size) = 0;
};

struct ResponseHead {
  int status = 0;
  std::string reason;
  std::map<std::string, std::string> headers;  // names lower-cased

  // The header's value, or "" when absent.
  std::string header(std::string_view lower_name) const;
};

// Reads from a ByteSource with a small buffer: lines for the head and chunk sizes, exact byte
// counts for bodies. Not thread-safe.
class WireReader {
 public:
  explicit WireReader(ByteSource& source) : source_(source) {}

  // The status line and headers. Errors name what was malformed.
  Result<ResponseHead> readHead();

  // Delivers the body piece by piece to `on_data` as it arrives (a chunk, or whatever one read()
  // returned), following the framing `head` announces. `on_data` returning false stops reading
  // (kCancelled). Bodies over `max_bytes` are an error (kResourceExhausted), unless 0.
  Status readBody(const ResponseHead& head, const std::function<bool(std::string_view)>& on_data,
                  size_t max_bytes = 0);

 private:
  Result<std::string> readLine();  // without the CRLF; lines over 64 KiB are an error
  Status fill();                   // reads more into buffer_; kUnavailable at the end of stream
  Status readExact(size_t count, const std::function<bool(std::string_view)>& on_data);

  ByteSource& source_;
  std::string buffer_;
  size_t offset_ = 0;
  bool eof_ = false;
};

// Splits a stream of newline-delimited JSON documents (Docker's event stream) that arrives in
// arbitrary pieces: feed() each piece, and each complete line goes to the callback.
class LineSplitter {
 public:
  explicit LineSplitter(std::function<void(std::string_view line)> on_line)
      : on_line_(std::move(on_line)) {}
  void feed(std::string_view data);

 private:
  std::function<void(std::string_view)> on_line_;
  std::string partial_;
};

}  // namespace orion::docker
