#include "docker/http_wire.h"

#include <algorithm>
#include <charconv>

namespace orion::docker {
namespace {

constexpr size_t kMaxLine = 64 * 1024;
constexpr size_t kReadSize = 16 * 1024;

Status cancelledStatus() { return Status(StatusCode::kCancelled, "stopped while reading"); }

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

std::string ResponseHead::header(std::string_view lower_name) const {
  auto it = headers.find(std::string(lower_name));
  return it == headers.end() ? "" : it->second;
}

Status WireReader::fill() {
  if (eof_) return unavailable("connection closed by the engine");
  if (offset_ > 0 && offset_ == buffer_.size()) {
    buffer_.clear();
    offset_ = 0;
  }
  size_t old = buffer_.size();
  buffer_.resize(old + kReadSize);
  Result<size_t> got = source_.read(buffer_.data() + old, kReadSize);
  if (!got) {
    buffer_.resize(old);
    return got.status();
  }
  buffer_.resize(old + *got);
  if (*got == 0) {
    eof_ = true;
    return unavailable("connection closed by the engine");
  }
  return Status::ok();
}

Result<std::string> WireReader::readLine() {
  while (true) {
    size_t newline = buffer_.find('\n', offset_);
    if (newline != std::string::npos) {
      std::string_view line(buffer_.data() + offset_, newline - offset_);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      std::string out(line);
      offset_ = newline + 1;
      return out;
    }
    if (buffer_.size() - offset_ > kMaxLine) {
      return invalidArgument("HTTP response line longer than 64 KiB");
    }
    ORION_RETURN_IF_ERROR(fill());
  }
}

Result<ResponseHead> WireReader::readHead() {
  Result<std::string> status_line = readLine();
  if (!status_line) return status_line.status();
  // "HTTP/1.1 200 OK"
  std::string_view line = *status_line;
  ResponseHead head;
  if (line.substr(0, 5) != "HTTP/" || line.size() < 12 || line[8] != ' ') {
    return invalidArgument("expected an HTTP status line, got '" + std::string(line.substr(0, 80)) +
                           "'");
  }
  auto [ptr, ec] = std::from_chars(line.data() + 9, line.data() + 12, head.status);
  if (ec != std::errc() || ptr != line.data() + 12 || head.status < 100 || head.status > 599) {
    return invalidArgument("expected a 3-digit HTTP status, got '" +
                           std::string(line.substr(0, 80)) + "'");
  }
  head.reason = std::string(trimmed(line.substr(12)));
  while (true) {
    Result<std::string> header = readLine();
    if (!header) return header.status();
    if (header->empty()) break;
    size_t colon = header->find(':');
    if (colon == std::string::npos || colon == 0) {
      return invalidArgument("malformed HTTP header '" + header->substr(0, 80) + "'");
    }
    head.headers[lower(trimmed(std::string_view(*header).substr(0, colon)))] =
        std::string(trimmed(std::string_view(*header).substr(colon + 1)));
    if (head.headers.size() > 200) return invalidArgument("more than 200 HTTP headers");
  }
  return head;
}

Status WireReader::readExact(size_t count, const std::function<bool(std::string_view)>& on_data) {
  while (count > 0) {
    if (offset_ == buffer_.size()) ORION_RETURN_IF_ERROR(fill());
    size_t take = std::min(count, buffer_.size() - offset_);
    std::string_view piece(buffer_.data() + offset_, take);
    offset_ += take;
    count -= take;
    if (!on_data(piece)) return cancelledStatus();
  }
  return Status::ok();
}

Status WireReader::readBody(const ResponseHead& head,
                            const std::function<bool(std::string_view)>& on_data,
                            size_t max_bytes) {
  size_t total = 0;
  auto counted = [&](std::string_view piece) {
    total += piece.size();
    if (max_bytes != 0 && total > max_bytes) return false;
    return on_data(piece);
  };
  auto over = [&]() -> Status {
    return Status(StatusCode::kResourceExhausted,
                  "HTTP body larger than " + std::to_string(max_bytes) + " bytes");
  };
  if (head.status == 204 || head.status == 304 || head.status < 200) return Status::ok();
  if (lower(head.header("transfer-encoding")).find("chunked") != std::string::npos) {
    while (true) {
      Result<std::string> size_line = readLine();
      if (!size_line) return size_line.status();
      std::string_view digits =
          trimmed(std::string_view(*size_line).substr(0, size_line->find(';')));
      size_t size = 0;
      auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), size, 16);
      if (digits.empty() || ec != std::errc() || ptr != digits.data() + digits.size()) {
        return invalidArgument("malformed chunk size '" + size_line->substr(0, 40) + "'");
      }
      if (size == 0) {
        while (true) {  // trailers, up to the blank line
          Result<std::string> trailer = readLine();
          if (!trailer) return trailer.status();
          if (trailer->empty()) return Status::ok();
        }
      }
      Status status = readExact(size, counted);
      if (status.code() == StatusCode::kCancelled && max_bytes != 0 && total > max_bytes) {
        return over();
      }
      ORION_RETURN_IF_ERROR(status);
      Result<std::string> end = readLine();
      if (!end) return end.status();
      if (!end->empty()) return invalidArgument("missing CRLF after an HTTP chunk");
    }
  }
  std::string length_text = head.header("content-length");
  if (!length_text.empty()) {
    size_t length = 0;
    auto [ptr, ec] =
        std::from_chars(length_text.data(), length_text.data() + length_text.size(), length);
    if (ec != std::errc() || ptr != length_text.data() + length_text.size()) {
      return invalidArgument("malformed Content-Length '" + length_text + "'");
    }
    if (max_bytes != 0 && length > max_bytes) return over();
    return readExact(length, counted);
  }
  // No framing: the body runs to the end of the connection.
  while (true) {
    if (offset_ < buffer_.size()) {
      std::string_view piece(buffer_.data() + offset_, buffer_.size() - offset_);
      offset_ = buffer_.size();
      if (!counted(piece)) return max_bytes != 0 && total > max_bytes ? over() : cancelledStatus();
    }
    Status status = fill();
    if (eof_) return Status::ok();
    ORION_RETURN_IF_ERROR(status);
  }
}

void LineSplitter::feed(std::string_view data) {
  while (!data.empty()) {
    size_t newline = data.find('\n');
    if (newline == std::string_view::npos) {
      partial_.append(data);
      return;
    }
    partial_.append(data.substr(0, newline));
    data.remove_prefix(newline + 1);
    std::string_view line = partial_;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty()) on_line_(line);
    partial_.clear();
  }
}

}  // namespace orion::docker
