#include "common/ids.h"

#include <algorithm>
#include <chrono>
#include <random>

namespace orion {

namespace {

std::mt19937_64& threadGenerator() {
  thread_local std::mt19937_64 generator = [] {
    std::random_device device;
    std::seed_seq seed{device(), device(), device(), device(), device(), device()};
    return std::mt19937_64(seed);
  }();
  return generator;
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Where the hex digit of nibble `i` (0 = the most significant of the 128 bits) is in the
// canonical form: after a dash every 8, 4, 4 and 4 digits.
size_t digitAt(size_t i) { return i + (i >= 8) + (i >= 12) + (i >= 16) + (i >= 20); }

}  // namespace

std::string newUuid() { return newUuidAt(RealClock().now()); }

std::string newUuidAt(WallTime now) {
  const auto nanos = static_cast<uint64_t>(std::max<int64_t>(0, nanosSinceEpoch(now)));
  const uint64_t millis = nanos / 1'000'000 & 0xFFFF'FFFF'FFFFULL;
  const uint64_t fraction = nanos % 1'000'000 * 4096 / 1'000'000;  // 12 bits
  const uint64_t high = millis << 16 | 0x7000 | fraction;          // version 7
  const uint64_t low = (threadGenerator()() & 0x3FFF'FFFF'FFFF'FFFFULL) | 0x8000'0000'0000'0000ULL;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(36, '-');
  for (size_t i = 0; i < 32; ++i) {
    const uint64_t word = i < 16 ? high : low;
    out[digitAt(i)] = kHex[word >> (60 - 4 * (i % 16)) & 0xF];
  }
  return out;
}

std::optional<std::array<uint8_t, 16>> uuidBytes(std::string_view id) {
  if (!isUuid(id)) return std::nullopt;
  std::array<uint8_t, 16> bytes{};
  for (size_t i = 0; i < 16; ++i) {
    bytes[i] =
        static_cast<uint8_t>(hexValue(id[digitAt(2 * i)]) << 4 | hexValue(id[digitAt(2 * i + 1)]));
  }
  return bytes;
}

std::optional<uint64_t> uuidV7Millis(std::string_view id) {
  std::optional<std::array<uint8_t, 16>> bytes = uuidBytes(id);
  if (!bytes || (*bytes)[6] >> 4 != 7) return std::nullopt;
  uint64_t millis = 0;
  for (size_t i = 0; i < 6; ++i) millis = millis << 8 | (*bytes)[i];
  return millis;
}

bool isUuid(std::string_view text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (text[i] != '-') return false;
    } else if (hexValue(text[i]) < 0) {
      return false;
    }
  }
  return true;
}

}  // namespace orion
