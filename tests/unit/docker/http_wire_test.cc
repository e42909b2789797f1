#include "docker/http_wire.h"

#include <gtest/gtest.h>

#include <vector>

namespace orion::docker {
namespace {

// Hands out `text` in pieces of at most `piece` bytes, as a socket might.
class StringSource final : public ByteSource {
 public:
  StringSource(std::string text, size_t piece) : text_(std::move(text)), piece_(piece) {}
  Result<size_t> read(char* buffer, size_t size) override {
    size_t take = std::min({size, piece_, text_.size() - offset_});
    text_.copy(buffer, take, offset_);
    offset_ += take;
    return take;
  }

 private:
  std::string text_;
  size_t piece_;
  size_t offset_ = 0;
};

struct Parsed {
  Status status;
  ResponseHead head;
  std::string body;
};

Parsed parse(const std::string& wire, size_t piece = 3, size_t max_bytes = 0) {
  StringSource source(wire, piece);
  WireReader reader(source);
  Parsed out;
  Result<ResponseHead> head = reader.readHead();
  if (!head) {
    out.status = head.status();
    return out;
  }
  out.head = *head;
  out.status = reader.readBody(
      *head,
      [&](std::string_view data) {
        out.body.append(data);
        return true;
      },
      max_bytes);
  return out;
}

TEST(HttpWireTest, ContentLengthBody) {
  Parsed p = parse(
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n"
      "[1,2,3]trailing garbage");
  ASSERT_TRUE(p.status.isOk()) << p.status.toString();
  EXPECT_EQ(p.head.status, 200);
  EXPECT_EQ(p.head.reason, "OK");
  EXPECT_EQ(p.head.header("content-type"), "application/json");
  EXPECT_EQ(p.body, "[1,2,3]");
}

TEST(HttpWireTest, ChunkedBodyInTinyPieces) {
  for (size_t piece : {1u, 2u, 7u, 4096u}) {
    Parsed p = parse(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        "5\r\nhello\r\n1;ext=1\r\n \r\nA\r\n0123456789\r\n0\r\nX-Trailer: 1\r\n\r\n",
        piece);
    ASSERT_TRUE(p.status.isOk()) << piece << ": " << p.status.toString();
    EXPECT_EQ(p.body, "hello 0123456789") << piece;
  }
}

TEST(HttpWireTest, BodyToEndOfStreamAndEmptyStatuses) {
  EXPECT_EQ(parse("HTTP/1.0 200 OK\r\n\r\nall of it").body, "all of it");
  Parsed no_content = parse("HTTP/1.1 204 No Content\r\n\r\n");
  EXPECT_TRUE(no_content.status.isOk());
  EXPECT_EQ(no_content.head.status, 204);
}

TEST(HttpWireTest, MalformedResponsesAreErrorsNotCrashes) {
  EXPECT_EQ(parse("SSH-2.0-OpenSSH\r\n\r\n").status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(parse("HTTP/1.1 2x0 OK\r\n\r\n").status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(parse("HTTP/1.1 200 OK\r\nno colon\r\n\r\n").status.code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n").status.code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort").status.code(),
            StatusCode::kUnavailable)
      << "a connection that closes mid-body";
  EXPECT_EQ(parse("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", 3, 10).status.code(),
            StatusCode::kResourceExhausted);
  EXPECT_EQ(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n20\r\n" +
                      std::string(32, 'x') + "\r\n0\r\n\r\n",
                  5, 10)
                .status.code(),
            StatusCode::kResourceExhausted);
  EXPECT_EQ(parse("").status.code(), StatusCode::kUnavailable);
}

TEST(LineSplitterTest, LinesAcrossPieces) {
  std::vector<std::string> lines;
  LineSplitter splitter([&](std::string_view line) { lines.emplace_back(line); });
  splitter.feed("{\"a\":1}\n{\"b\"");
  splitter.feed(":2}\r\n\n");
  splitter.feed("{\"c\":3}");
  EXPECT_EQ(lines, (std::vector<std::string>{"{\"a\":1}", "{\"b\":2}"}));
  splitter.feed("\n");
  EXPECT_EQ(lines.back(), "{\"c\":3}");
}

}  // namespace
}  // namespace orion::docker
