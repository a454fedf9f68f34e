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
// What the flags ask for, checked, with this node's etcd version found
// (kubeadm/RKE2/k3s discovery) unless --target-version says.
Result<restore::RestoreOptions> RestoreOptionsOf(const CommandContext& context, const RestoreArgs& args);
// The data dirs written from `source` (a file, a backup), as text or -o json|yaml.
void PrintRestored(CommandContext& context, const std::string& source, const restore::RestoreOptions& options,
                   const restore::RestoreResult& result);
// snapshot restore.
Status RunRestore(CommandContext& context, const RestoreArgs& args);

}  // namespace ketcd::cli
