// Random JSON documents for the tests that hold ORION's JSON code to nlohmann's (the writer, the
// fast parser): values of every kind, strings over an alphabet weighted towards what breaks
// serialisers and parsers (quotes, escapes, control characters, non-ASCII, invalid UTF-8).
#pragma once

#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "common/json.h"

namespace orion {

class RandomDocuments {
 public:
  explicit RandomDocuments(uint64_t seed) : random_(seed) {}

  Json value(int depth) {
    switch (pick(depth > 3 ? 6 : 8)) {
      case 0:
        return Json(nullptr);
      case 1:
        return Json(pick(2) == 1);
      case 2:
        return Json(static_cast<int64_t>(random_()));
      case 3:
        return Json(static_cast<uint64_t>(random_()));
      case 4: {
        double d;
        uint64_t bits = random_();
        std::memcpy(&d, &bits, sizeof d);
        return pick(2) == 0 ? Json(d) : Json(static_cast<double>(random_() % 100000) / 100);
      }
      case 5:
        return Json(text());
      case 6: {
        Json array = Json::array();
        for (size_t i = pick(5); i > 0; --i) array.push_back(value(depth + 1));
        return array;
      }
      default: {
        Json object = Json::object();
        for (size_t i = pick(6); i > 0; --i) object[text()] = value(depth + 1);
        return object;
      }
    }
  }

 private:
  size_t pick(size_t n) { return static_cast<size_t>(random_() % n); }

  std::string text() {
    static const std::vector<std::string> kPieces = {
        "a",    "id",           "Z",        " ",        "\"",   "\\",  "/", "\n",
        "\t",   "\x01",         "\x1f",     "\x7f",     "é",    "€",   "😀", "\xc3",
        "\x80", "\xed\xa0\x80", "\xf4\x90", "\xe2\x82", "\xff", "data"};
    std::string out;
    for (size_t i = pick(8); i > 0; --i) out += kPieces[pick(kPieces.size())];
    return out;
  }

  std::mt19937_64 random_;
};

}  // namespace orion
