#include "common/json_fast_parse.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>

#include "common/json_writer.h"

namespace orion {
namespace {

constexpr int kMaxDepth = 128;

// A recursive-descent parser over one text. Every method returns false to give up (the caller
// then parses the text with nlohmann, which either agrees or reports the error).
class FastParser {
 public:
  explicit FastParser(std::string_view text) : at_(text.data()), end_(text.data() + text.size()) {}

  bool document(Json& out) {
    if (!value(out, 0)) return false;
    skipSpace();
    return at_ == end_;  // nothing may follow the value
  }

 private:
  void skipSpace() {
    while (at_ != end_ && (*at_ == ' ' || *at_ == '\n' || *at_ == '\r' || *at_ == '\t')) ++at_;
  }

  bool literal(std::string_view word) {
    if (static_cast<size_t>(end_ - at_) < word.size()) return false;
    if (std::string_view(at_, word.size()) != word) return false;
    at_ += word.size();
    return true;
  }

  bool value(Json& out, int depth) {
    skipSpace();
    if (at_ == end_) return false;
    switch (*at_) {
      case '{':
        return object(out, depth + 1);
      case '[':
        return array(out, depth + 1);
      case '"': {
        std::string text;
        if (!string(text)) return false;
        out = std::move(text);
        return true;
      }
      case 't':
        out = true;
        return literal("true");
      case 'f':
        out = false;
        return literal("false");
      case 'n':
        out = nullptr;
        return literal("null");
      default:
        return number(out);
    }
  }

  // Skips white space, then `c` if it comes next.
  bool consume(char c) {
    skipSpace();
    if (at_ == end_ || *at_ != c) return false;
    ++at_;
    return true;
  }

  bool object(Json& out, int depth) {
    if (depth > kMaxDepth) return false;
    ++at_;  // '{'
    out = Json::object();
    auto& members = out.get_ref<Json::object_t&>();
    if (consume('}')) return true;
    std::string key;
    do {
      skipSpace();
      if (at_ == end_ || *at_ != '"') return false;
      key.clear();
      if (!string(key) || !consume(':')) return false;
      Json member;
      if (!value(member, depth)) return false;
      // Keys usually come sorted (ORION writes them so): the hint makes that insertion O(1). Of
      // duplicate keys the last one wins, as in nlohmann.
      members.emplace_hint(members.end(), std::move(key), Json())->second = std::move(member);
    } while (consume(','));
    return consume('}');
  }

  bool array(Json& out, int depth) {
    if (depth > kMaxDepth) return false;
    ++at_;  // '['
    out = Json::array();
    auto& elements = out.get_ref<Json::array_t&>();
    if (consume(']')) return true;
    do {
      elements.emplace_back();
      if (!value(elements.back(), depth)) return false;
    } while (consume(','));
    return consume(']');
  }

  // A string of plain text, well-formed UTF-8 and the two-character escapes; `at_` is on the
  // opening quote.
  bool string(std::string& out) {
    ++at_;
    while (true) {
      size_t plain = plainJsonPrefix(std::string_view(at_, static_cast<size_t>(end_ - at_)));
      out.append(at_, plain);
      at_ += plain;
      if (at_ == end_) return false;
      char c = *at_;
      if (c == '"') {
        ++at_;
        return true;
      }
      if (static_cast<unsigned char>(c) >= 0x80) {
        // A run of non-ASCII bytes is whole UTF-8 sequences exactly when it is well-formed;
        // nlohmann refuses anything else.
        const char* run = at_;
        while (at_ != end_ && static_cast<unsigned char>(*at_) >= 0x80) ++at_;
        std::string_view bytes(run, static_cast<size_t>(at_ - run));
        if (!isValidUtf8(bytes)) return false;
        out.append(bytes);
        continue;
      }
      if (c != '\\' || end_ - at_ < 2) return false;  // a control character
      switch (at_[1]) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        default:
          return false;  // \u (and anything invalid): nlohmann's
      }
      at_ += 2;
    }
  }

  static bool isDigit(char c) { return c >= '0' && c <= '9'; }

  // JSON's number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
  bool number(Json& out) {
    const char* start = at_;
    bool negative = false;
    if (at_ != end_ && *at_ == '-') {
      negative = true;
      ++at_;
    }
    if (at_ == end_ || !isDigit(*at_)) return false;
    if (*at_ == '0') {
      ++at_;
      if (at_ != end_ && isDigit(*at_)) return false;  // a leading zero
    } else {
      while (at_ != end_ && isDigit(*at_)) ++at_;
    }
    bool integer = true;
    if (at_ != end_ && *at_ == '.') {
      integer = false;
      ++at_;
      if (at_ == end_ || !isDigit(*at_)) return false;
      while (at_ != end_ && isDigit(*at_)) ++at_;
    }
    if (at_ != end_ && (*at_ == 'e' || *at_ == 'E')) {
      integer = false;
      ++at_;
      if (at_ != end_ && (*at_ == '+' || *at_ == '-')) ++at_;
      if (at_ == end_ || !isDigit(*at_)) return false;
      while (at_ != end_ && isDigit(*at_)) ++at_;
    }
    if (integer && negative) {
      int64_t parsed = 0;
      auto [end, error] = std::from_chars(start, at_, parsed);
      if (error != std::errc() || end != at_) return false;  // beyond int64: nlohmann's double
      out = parsed;
      return true;
    }
    if (integer) {
      uint64_t parsed = 0;
      auto [end, error] = std::from_chars(start, at_, parsed);
      if (error != std::errc() || end != at_) return false;  // beyond uint64: nlohmann's double
      out = parsed;
      return true;
    }
    double parsed = 0;
    auto [end, error] = std::from_chars(start, at_, parsed);
    if (error != std::errc() || end != at_ || !std::isfinite(parsed)) return false;
    out = parsed;
    return true;
  }

  const char* at_;
  const char* end_;
};

}  // namespace

std::optional<Json> parseJsonFast(std::string_view text) {
  Json out;
  if (!FastParser(text).document(out)) return std::nullopt;
  return out;
}

}  // namespace orion
