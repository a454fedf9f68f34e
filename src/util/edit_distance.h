// How far apart two words are, for "did you mean" suggestions.
#pragma once

#include <cstddef>
#include <string_view>

namespace ketcd {

// Levenshtein distance: insertions, deletions and substitutions.
size_t EditDistance(std::string_view a, std::string_view b);

}  // namespace ketcd
