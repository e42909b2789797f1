// Internal to the contracts module: a matcher for the anchored, literal-prefix patterns ORION's
// schemas use ("^orion-[a-z0-9-]+$", "^orion-approval-(telegram|cli)$"), linear in the input and
// without std::regex's recursion. Patterns outside that shape are left to std::regex.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace orion::contracts {

class SimplePattern {
 public:
  // The matcher of `pattern`, or nullopt when it is not of the supported shape:
  //   ^ (literal | (lit|lit|...) )* ( [class]+ | [class]* )? $
  // where a literal is a letter, digit, '-', '_', ':', '@', or an escaped character, and a class
  // holds such characters and ranges (a-z).
  static std::optional<SimplePattern> compile(std::string_view pattern);

  // Same answer as std::regex_search(text, std::regex(pattern)).
  bool matches(std::string_view text) const;

 private:
  struct Atom {
    std::vector<std::string> alternatives;  // one entry for a run of literals
    bool literal = false;                   // a run of literals (more may be appended)
  };
  bool matchFrom(size_t atom, std::string_view rest) const;

  std::vector<Atom> atoms_;
  bool has_tail_ = false;
  bool tail_allows_empty_ = false;
  bool tail_set_[256] = {};
};

}  // namespace orion::contracts
