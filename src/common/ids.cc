#include "common/ids.h"

#include <array>
#include <cstdint>
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

bool isHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

}  // namespace

std::string newUuid() {
  auto& generator = threadGenerator();
  uint64_t high = generator();
  uint64_t low = generator();
  high = (high & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;  // version 4
  low = (low & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;    // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(36, '-');
  int pos = 0;
  auto put = [&](uint64_t word, int nibbles_from_top, int count) {
    for (int i = 0; i < count; ++i) {
      if (pos == 8 || pos == 13 || pos == 18 || pos == 23) ++pos;
      int shift = 60 - 4 * (nibbles_from_top + i);
      out[pos++] = kHex[(word >> shift) & 0xF];
    }
  };
  put(high, 0, 16);
  put(low, 0, 16);
  return out;
}

bool isUuid(std::string_view text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (text[i] != '-') return false;
    } else if (!isHex(text[i])) {
      return false;
    }
  }
  return true;
}

}  // namespace orion
