// Fuzz target: what the watcher reads from services it does not control — an HTTP/1.1 response
// from a container engine's API socket (status line, headers, a body framed by Content-Length,
// chunked encoding or the end of the stream), the engine's newline-delimited event stream, its
// container list and inspect documents, and a Prometheus instant-query answer.
//
// The first input byte picks the size of the pieces the bytes arrive in (so framing is split at
// every possible place); the rest is the response. Each body line that is JSON is given to every
// parser.
//
// Oracles, beyond "no crash, no hang, no sanitizer report": a body never exceeds its limit, an
// error always says what was wrong, and a container the parsers accept has an id.
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

#include "docker/docker_client.h"
#include "docker/http_wire.h"
#include "fuzz_check.h"
#include "watcher/sources/prometheus/prometheus_source.h"

namespace {

using namespace orion;

// Hands out the input in pieces of a fixed size, then the end of the stream.
class PieceSource final : public docker::ByteSource {
 public:
  PieceSource(std::string_view bytes, size_t piece) : bytes_(bytes), piece_(piece) {}
  Result<size_t> read(char* buffer, size_t size) override {
    size_t count = std::min({size, piece_, bytes_.size()});
    std::copy_n(bytes_.data(), count, buffer);
    bytes_.remove_prefix(count);
    return count;
  }

 private:
  std::string_view bytes_;
  size_t piece_;
};

void parseDocument(std::string_view line) {
  Json document = Json::parse(line.begin(), line.end(), nullptr, false);
  if (document.is_discarded()) return;
  if (auto event = docker::parseEngineEvent(document); !event) {
    FUZZ_CHECK(!event.status().message().empty(), "a refused engine event says why");
  }
  if (auto details = docker::parseContainerDetails(document)) {
    FUZZ_CHECK(!details->summary.id.empty(), "an inspected container has an id");
  } else {
    FUZZ_CHECK(!details.status().message().empty(), "a refused inspect says why");
  }
  if (auto list = docker::parseContainerList(document)) {
    for (const auto& container : *list) FUZZ_CHECK(!container.id.empty(), "a listed id");
  }
  if (auto series = watcher::prometheus::parseQueryResponse(document); !series) {
    FUZZ_CHECK(!series.status().message().empty(), "a refused query answer says why");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  size_t piece = 1 + data[0] % 64;
  std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  PieceSource source(bytes, piece);
  docker::WireReader reader(source);
  auto head = reader.readHead();
  if (!head) {
    FUZZ_CHECK(!head.status().message().empty(), "a malformed head says what was wrong");
    parseDocument(bytes);  // the parsers see the raw bytes too
    return 0;
  }
  constexpr size_t kLimit = 1 << 16;
  size_t received = 0;
  docker::LineSplitter lines([](std::string_view line) { parseDocument(line); });
  Status read = reader.readBody(
      *head,
      [&](std::string_view piece_read) {
        received += piece_read.size();
        lines.feed(piece_read);
        return true;
      },
      kLimit);
  FUZZ_CHECK(received <= kLimit, "a body never exceeds its limit");
  if (!read.isOk()) FUZZ_CHECK(!read.message().empty(), "a body error says what was wrong");
  return 0;
}
