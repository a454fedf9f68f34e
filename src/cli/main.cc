// ketcd's entry point. The command table is in app.cc; each subcommand lives
// in its own *_commands.cc file and calls one library function.
#include "cli/app.h"

int main(int argc, char** argv) { return ketcd::cli::Run(argc, argv); }
