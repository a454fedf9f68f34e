// The ketcd command line: global flags, subcommands, exit codes.
#pragma once

namespace ketcd::cli {

// Parses argv, runs the chosen subcommand and returns the process exit code
// (see exit_codes.h). Errors are printed as one line on stderr.
int Run(int argc, char** argv);

}  // namespace ketcd::cli
