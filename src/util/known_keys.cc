#include "util/known_keys.h"

#include <algorithm>

#include "util/edit_distance.h"

namespace ketcd {

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
