#include "util/known_keys.h"

#include <algorithm>

namespace ketcd {
namespace {

// Levenshtein distance: insertions, deletions and substitutions.
size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

Status CheckKnownKeys(const YAML::Node& mapping, const std::vector<std::string>& known, const std::string& where) {
  if (!mapping.IsMap()) return Status::Ok();
  for (const auto& entry : mapping) {
    const std::string key = entry.first.as<std::string>();
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    std::string closest;
    size_t best = std::max<size_t>(2, key.size() / 3) + 1;  // farther is no typo
    for (const std::string& candidate : known) {
      const size_t distance = EditDistance(key, candidate);
      if (distance < best) best = distance, closest = candidate;
    }
    return InvalidArgument(where + ": unknown key \"" + key + "\"" +
                           (closest.empty() ? "" : " (did you mean \"" + closest + "\"?)"));
  }
  return Status::Ok();
}

}  // namespace ketcd
