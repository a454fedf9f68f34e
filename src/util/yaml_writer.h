// YAML the way kubectl prints it (Go's yaml.v2 via sigs.k8s.io/yaml): map keys
// sorted, list items at their parent key's indentation, strings quoted only
// when a YAML reader would otherwise take them for something else
// ("2008-01-01T01:01:01Z", "0", "true", ""), multi-line strings as
// literal blocks.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace ketcd {

std::string ToKubectlYaml(const nlohmann::ordered_json& document);

// The same for a document given as compact JSON text (as JsonText prints
// it), read without building a JSON tree: appends exactly what
// ToKubectlYaml of the parsed document gives. False, with `out` unchanged,
// when the text does not parse or holds U+FFFD (JsonText's stand-in for
// invalid UTF-8, whose original bytes a YAML plain scalar would keep).
bool AppendKubectlYamlFromJson(std::string& out, std::string_view compact);

}  // namespace ketcd
