// A mistyped command named as kubectl names it, before CLI11 parses (which
// would say "A subcommand is required", or print the parent's help for
// `ketcd cluster upgrade-chek --help` and exit 0):
//
//   unknown command "restor" for "ketcd snapshot"
//
//   Did you mean this?
//           restore
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

namespace ketcd::cli {

// The message for the first word of `args` (argv without the program name)
// that stands where `root`'s command tree expects a subcommand and names
// none; nullopt when every command word is known.
std::optional<std::string> UnknownCommandMessage(const CLI::App& root, const std::vector<std::string>& args);

// Names within two edits of `typed`, or starting with it, closest first
// (cobra's rule, which kubectl users know).
std::vector<std::string> ClosestNames(const std::string& typed, const std::vector<std::string>& names);

}  // namespace ketcd::cli
