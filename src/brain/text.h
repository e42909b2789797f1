// Explanation text appended in place: a decision's reasoning and tags are written straight into
// the strings the decision keeps, with no temporaries in between (building them from temporaries
// was most of a decision's cost). Pure; safe from any thread.
//
//   appendText(out, action, ": ", count, " of ", limit, " (", text, ")");
//
// Text pieces are anything that converts to std::string_view, integers are written in decimal
// (as fmt's "{}" writes them), and HumanDuration{d} as humanDuration(d) spells it.
#pragma once

#include <charconv>
#include <concepts>
#include <string>
#include <string_view>

#include "common/clock.h"

namespace orion::brain {

// A duration as explanations spell it: "212 s" below ten minutes, "1h5m" above (gates.h).
struct HumanDuration {
  Duration duration;
};

void appendPiece(std::string& out, HumanDuration duration);

inline void appendPiece(std::string& out, std::string_view text) { out.append(text); }
inline void appendPiece(std::string& out, char c) { out.push_back(c); }

// Integers other than bool and char (a char is a piece of text).
template <typename T>
concept DecimalNumber = std::integral<T> && !std::same_as<T, bool> && !std::same_as<T, char>;

template <DecimalNumber Number>
void appendPiece(std::string& out, Number number) {
  char digits[24];
  auto end = std::to_chars(digits, digits + sizeof digits, number).ptr;
  out.append(digits, static_cast<size_t>(end - digits));
}

template <typename... Pieces>
void appendText(std::string& out, const Pieces&... pieces) {
  (appendPiece(out, pieces), ...);
}

}  // namespace orion::brain
