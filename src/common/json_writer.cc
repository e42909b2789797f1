#include "common/json_writer.h"

#include <charconv>
#include <cstdint>
#include <cstring>

namespace orion {
namespace {

// nlohmann's own serializer, for the values whose text only it should decide (see below).
std::string nlohmannDump(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// The short escapes of 0x08..0x0D (0x0B has none).
constexpr char kShort[] = "btn\0fr";

bool needsEscape(unsigned char c) { return c < 0x20 || c == '"' || c == '\\'; }

void appendEscaped(std::string& out, unsigned char c) {
  static constexpr char kHex[] = "0123456789abcdef";
  if (c == '"' || c == '\\') {
    out += '\\';
    out += static_cast<char>(c);
  } else if (c >= 0x08 && c <= 0x0D && kShort[c - 0x08] != '\0') {
    out += '\\';
    out += kShort[c - 0x08];
  } else {
    // nlohmann writes the lower-case form.
    char escape[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0x0f]};
    out.append(escape, sizeof escape);
  }
}

bool inRange(unsigned char c, unsigned char low, unsigned char high) {
  return c >= low && c <= high;
}

// Appends a string already known to be valid UTF-8, escaping what needs it.
void appendValidString(std::string& out, std::string_view text) {
  out += '"';
  size_t run = 0;  // start of the bytes not yet copied
  for (size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (!needsEscape(c)) continue;
    out.append(text.data() + run, i - run);
    appendEscaped(out, c);
    run = i + 1;
  }
  out.append(text.data() + run, text.size() - run);
  out += '"';
}

bool isPlain(unsigned char c) { return c < 0x80 && !needsEscape(c); }

}  // namespace

bool isValidUtf8(std::string_view text) {
  size_t i = 0;
  const size_t n = text.size();
  auto at = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  while (i < n) {
    unsigned char c = at(i);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t length = 0;
    unsigned char second_low = 0x80, second_high = 0xBF;
    if (inRange(c, 0xC2, 0xDF)) {
      length = 2;
    } else if (inRange(c, 0xE0, 0xEF)) {
      length = 3;
      if (c == 0xE0) second_low = 0xA0;   // no overlong forms
      if (c == 0xED) second_high = 0x9F;  // no surrogates
    } else if (inRange(c, 0xF0, 0xF4)) {
      length = 4;
      if (c == 0xF0) second_low = 0x90;   // no overlong forms
      if (c == 0xF4) second_high = 0x8F;  // nothing above U+10FFFF
    } else {
      return false;  // a continuation byte, an overlong lead (C0, C1) or F5..FF
    }
    if (n - i < length || !inRange(at(i + 1), second_low, second_high)) return false;
    for (size_t k = 2; k < length; ++k) {
      if (!inRange(at(i + k), 0x80, 0xBF)) return false;
    }
    i += length;
  }
  return true;
}

// Most strings in a document (ids, timestamps, names) are plain throughout. Eight bytes at a time.
size_t plainJsonPrefix(std::string_view text) {
  constexpr uint64_t kOnes = 0x0101010101010101;
  constexpr uint64_t kHighBits = 0x8080808080808080;
  size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, text.data() + i, sizeof word);
    uint64_t quote = word ^ (kOnes * '"');
    uint64_t backslash = word ^ (kOnes * '\\');
    // A byte's high bit ends up set when it is non-ASCII, below 0x20, or (after the XORs) zero;
    // the subtractions may flag bytes after a flagged one too, which only ends the fast path early.
    uint64_t flagged = word | ((word - kOnes * 0x20) & ~word) | ((quote - kOnes) & ~quote) |
                       ((backslash - kOnes) & ~backslash);
    if ((flagged & kHighBits) != 0) break;
  }
  while (i < text.size() && isPlain(static_cast<unsigned char>(text[i]))) ++i;
  return i;
}

void appendJsonString(std::string& out, std::string_view text) {
  size_t plain = plainJsonPrefix(text);
  if (plain == text.size()) {
    // One append (the quotes' bytes, then the text copied over the middle) instead of three.
    const size_t at = out.size();
    out.append(text.size() + 2, '"');
    if (!text.empty()) std::memcpy(out.data() + at + 1, text.data(), text.size());
    return;
  }
  if (isValidUtf8(text.substr(plain))) {
    appendValidString(out, text);
    return;
  }
  // Where invalid sequences begin and end, and how many U+FFFD replace them, is nlohmann's own
  // rule; let it write the string.
  out += nlohmannDump(Json(text));
}

void appendJson(std::string& out, const Json& value) {
  using Type = Json::value_t;
  switch (value.type()) {
    case Type::object: {
      JsonObjectWriter members(out);
      // std::map: already in the bytewise key order the canonical form wants.
      for (const auto& [key, member] : value.get_ref<const Json::object_t&>()) {
        members.json(key, member);
      }
      return;
    }
    case Type::array: {
      JsonArrayWriter items(out);
      for (const Json& item : value.get_ref<const Json::array_t&>()) items.json(item);
      return;
    }
    case Type::string:
      appendJsonString(out, value.get_ref<const Json::string_t&>());
      return;
    case Type::boolean:
      out += value.get<bool>() ? "true" : "false";
      return;
    case Type::null:
      out += "null";
      return;
    case Type::number_integer:
      appendJsonInteger(out, value.get<int64_t>());
      return;
    case Type::number_unsigned:
      appendJsonUnsigned(out, value.get<uint64_t>());
      return;
    case Type::number_float:
    case Type::binary:
    case Type::discarded:
      // Doubles use nlohmann's own shortest-round-trip algorithm (Grisu2, which is not always
      // what std::to_chars writes); binary and discarded values are never in a document.
      out += nlohmannDump(value);
      return;
  }
  out += nlohmannDump(value);
}

void appendJsonInteger(std::string& out, int64_t value) {
  char digits[24];
  auto [end, error] = std::to_chars(digits, digits + sizeof digits, value);
  (void)error;  // 24 characters hold any 64-bit integer
  out.append(digits, end);
}

void appendJsonUnsigned(std::string& out, uint64_t value) {
  char digits[24];
  auto [end, error] = std::to_chars(digits, digits + sizeof digits, value);
  (void)error;
  out.append(digits, end);
}

std::string& JsonObjectWriter::member(std::string_view key) {
  if (!first_) out_ += ',';
  first_ = false;
  appendJsonString(out_, key);
  out_ += ':';
  return out_;
}

JsonObjectWriter& JsonObjectWriter::string(std::string_view key, std::string_view value) {
  appendJsonString(member(key), value);
  return *this;
}

JsonObjectWriter& JsonObjectWriter::integer(std::string_view key, int64_t value) {
  appendJsonInteger(member(key), value);
  return *this;
}

JsonObjectWriter& JsonObjectWriter::unsignedInteger(std::string_view key, uint64_t value) {
  appendJsonUnsigned(member(key), value);
  return *this;
}

JsonObjectWriter& JsonObjectWriter::boolean(std::string_view key, bool value) {
  member(key) += value ? "true" : "false";
  return *this;
}

JsonObjectWriter& JsonObjectWriter::null(std::string_view key) {
  member(key) += "null";
  return *this;
}

JsonObjectWriter& JsonObjectWriter::json(std::string_view key, const Json& value) {
  appendJson(member(key), value);
  return *this;
}

void JsonObjectWriter::close() {
  if (closed_) return;
  closed_ = true;
  out_ += '}';
}

std::string& JsonArrayWriter::element() {
  if (!first_) out_ += ',';
  first_ = false;
  return out_;
}

JsonArrayWriter& JsonArrayWriter::string(std::string_view value) {
  appendJsonString(element(), value);
  return *this;
}

JsonArrayWriter& JsonArrayWriter::integer(int64_t value) {
  appendJsonInteger(element(), value);
  return *this;
}

JsonArrayWriter& JsonArrayWriter::unsignedInteger(uint64_t value) {
  appendJsonUnsigned(element(), value);
  return *this;
}

JsonArrayWriter& JsonArrayWriter::json(const Json& value) {
  appendJson(element(), value);
  return *this;
}

void JsonArrayWriter::close() {
  if (closed_) return;
  closed_ = true;
  out_ += ']';
}

}  // namespace orion
