// Configuration files are checked key by key: a misspelt key ("retenton:")
// must be an error, not a setting silently left at its default.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "util/status.h"

namespace ketcd {

// kInvalidArgument "WHERE: unknown key \"retenton\" (did you mean
// \"retention\"?)" for the first key of the YAML `mapping` not in `known`
// (anything but a mapping has no keys); the suggestion is the known key
// fewest edits away, when it is close enough to be a typo.
Status CheckKnownKeys(const YAML::Node& mapping, const std::vector<std::string>& known, const std::string& where);

}  // namespace ketcd
