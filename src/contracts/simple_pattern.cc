#include "contracts/simple_pattern.h"

namespace orion::contracts {

namespace {

bool isPlainLiteral(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == ':' || c == '@';
}

// Characters whose escaped form means themselves (not \d, \w, \s, ...).
bool isEscapableLiteral(char c) {
  return c == '.' || c == '-' || c == '/' || c == '+' || c == '*' || c == '?' || c == '(' ||
         c == ')' || c == '[' || c == ']' || c == '{' || c == '}' || c == '|' || c == '\\' ||
         c == '^' || c == '$';
}

// Reads one literal character at `pos` (plain or escaped); advances `pos`.
std::optional<char> readLiteral(std::string_view pattern, size_t& pos) {
  if (pos >= pattern.size()) return std::nullopt;
  if (pattern[pos] == '\\') {
    if (pos + 1 < pattern.size() && isEscapableLiteral(pattern[pos + 1])) {
      pos += 2;
      return pattern[pos - 1];
    }
    return std::nullopt;
  }
  if (isPlainLiteral(pattern[pos])) return pattern[pos++];
  return std::nullopt;
}

}  // namespace

std::optional<SimplePattern> SimplePattern::compile(std::string_view pattern) {
  if (pattern.size() < 2 || pattern.front() != '^' || pattern.back() != '$') return std::nullopt;
  // A '$' that is escaped is a literal, not the anchor.
  if (pattern.size() >= 3 && pattern[pattern.size() - 2] == '\\') return std::nullopt;
  const std::string_view body = pattern.substr(1, pattern.size() - 2);
  SimplePattern out;
  size_t pos = 0;
  while (pos < body.size()) {
    if (body[pos] == '(') {
      Atom group;
      std::string current;
      ++pos;
      while (pos < body.size() && body[pos] != ')') {
        if (body[pos] == '|') {
          group.alternatives.push_back(std::move(current));
          current.clear();
          ++pos;
          continue;
        }
        std::optional<char> c = readLiteral(body, pos);
        if (!c) return std::nullopt;
        current += *c;
      }
      if (pos >= body.size()) return std::nullopt;
      ++pos;  // ')'
      group.alternatives.push_back(std::move(current));
      group.literal = false;
      out.atoms_.push_back(std::move(group));
      continue;
    }
    if (body[pos] == '[') {
      ++pos;
      if (pos < body.size() && body[pos] == '^') return std::nullopt;  // negated class
      while (pos < body.size() && body[pos] != ']') {
        std::optional<char> low = readLiteral(body, pos);
        if (!low) return std::nullopt;
        char high = *low;
        if (pos + 1 < body.size() && body[pos] == '-' && body[pos + 1] != ']') {
          ++pos;
          std::optional<char> end = readLiteral(body, pos);
          if (!end || *end < *low) return std::nullopt;
          high = *end;
        }
        for (int c = static_cast<unsigned char>(*low); c <= static_cast<unsigned char>(high); ++c) {
          out.tail_set_[c] = true;
        }
      }
      if (pos + 2 != body.size() || body[pos] != ']') return std::nullopt;  // must end the body
      if (body[pos + 1] != '+' && body[pos + 1] != '*') return std::nullopt;
      out.has_tail_ = true;
      out.tail_allows_empty_ = body[pos + 1] == '*';
      pos = body.size();
      break;
    }
    std::optional<char> c = readLiteral(body, pos);
    if (!c) return std::nullopt;
    // A quantifier after a literal is not supported.
    if (pos < body.size() &&
        (body[pos] == '+' || body[pos] == '*' || body[pos] == '?' || body[pos] == '{')) {
      return std::nullopt;
    }
    if (!out.atoms_.empty() && out.atoms_.back().literal) {
      out.atoms_.back().alternatives[0] += *c;
    } else {
      out.atoms_.push_back(Atom{{std::string(1, *c)}, true});
    }
  }
  return out;
}

bool SimplePattern::matchFrom(size_t atom, std::string_view rest) const {
  if (atom == atoms_.size()) {
    if (!has_tail_) return rest.empty();
    if (rest.empty()) return tail_allows_empty_;
    for (char c : rest) {
      if (!tail_set_[static_cast<unsigned char>(c)]) return false;
    }
    return true;
  }
  // Alternatives are tried in turn; the depth is bounded by the number of atoms in the pattern,
  // never by the input.
  for (const std::string& alternative : atoms_[atom].alternatives) {
    if (rest.substr(0, alternative.size()) == alternative &&
        matchFrom(atom + 1, rest.substr(alternative.size()))) {
      return true;
    }
  }
  return false;
}

bool SimplePattern::matches(std::string_view text) const { return matchFrom(0, text); }

}  // namespace orion::contracts
