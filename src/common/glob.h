// Shell-style glob matching for names and patterns from configuration and policy: '*' matches
// any run of characters (including none), '?' exactly one; everything else matches itself.
// Pure; safe from any thread.
#pragma once

#include <string_view>

namespace orion {

// True when `text` matches `pattern` in full. Iterative with one backtrack point: linear in
// practice, and no recursion a hostile pattern could exhaust.
bool globMatch(std::string_view pattern, std::string_view text);

}  // namespace orion
