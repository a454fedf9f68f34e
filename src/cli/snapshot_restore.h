// The restore step shared by `snapshot restore` and `backup restore`:
// etcdctl's restore flags and the command that writes the data dir(s).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "cli/command_context.h"
#include "restore/restore.h"

namespace ketcd::cli {

struct RestoreArgs {
  restore::RestoreOptions options;  // snapshot_path set by the caller
  std::string advertise = "http://localhost:2380";
  bool all_members = false;
  std::string output_dir;
};

// --name, --initial-cluster, ... (not the snapshot file).
void AddRestoreOptions(CLI::App* command, RestoreArgs& args);
Status RunRestore(CommandContext& context, RestoreArgs args);

}  // namespace ketcd::cli
