// "Did you mean …?" for misspelt configuration keys and ORION_* variables. Internal to the config
// module.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace orion::config {

// Levenshtein distance (insert, delete, substitute; case-sensitive).
size_t editDistance(std::string_view a, std::string_view b);

// The candidate closest to `word`, if it is close enough to be a plausible misspelling: at most
// max(2, length/3) edits away. Ties go to the first candidate.
std::optional<std::string> nearest(std::string_view word,
                                   const std::vector<std::string>& candidates);

}  // namespace orion::config
