// YAML the way kubectl prints it (Go's yaml.v2 via sigs.k8s.io/yaml): map keys
// sorted, list items at their parent key's indentation, strings quoted only
// when a YAML reader would otherwise take them for something else
// ("2008-01-01T01:01:01Z", "0", "true", ""), multi-line strings as
// literal blocks.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace ketcd {

std::string ToKubectlYaml(const nlohmann::ordered_json& document);

}  // namespace ketcd
