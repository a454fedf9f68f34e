// The ketcd command line: global flags, subcommands, exit codes.
#pragma once

#include <ostream>

namespace ketcd::cli {

// Parses argv, runs the chosen subcommand and returns the process exit code
// (see exit_codes.h). Output goes to `out`; warnings and errors (one line
// each) to `err`.
int Run(int argc, char** argv, std::ostream& out, std::ostream& err);

}  // namespace ketcd::cli
