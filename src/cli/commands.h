// Registration of ketcd's subcommands. Each Add*Commands adds its
// subcommands to `app`; a chosen subcommand stores its work in
// context.action, which main runs after parsing.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/command_context.h"

namespace ketcd::cli {

void AddConfigCommand(CLI::App& app, CommandContext& context);
void AddEndpointCommands(CLI::App& app, CommandContext& context);
void AddMemberCommands(CLI::App& app, CommandContext& context);
void AddMaintenanceCommands(CLI::App& app, CommandContext& context);
void AddKeyValueCommands(CLI::App& app, CommandContext& context);
void AddDecodeCommands(CLI::App& app, CommandContext& context);
void AddDumpCommand(CLI::App& app, CommandContext& context);
void AddKeyspaceCommands(CLI::App& app, CommandContext& context);
void AddHistoryCommand(CLI::App& app, CommandContext& context);
void AddSnapshotCommands(CLI::App& app, CommandContext& context);
void AddMigrateCommands(CLI::App& app, CommandContext& context);
void AddGenerateCommand(CLI::App& app, CommandContext& context);
void AddClusterCommands(CLI::App& app, CommandContext& context);
// `cluster upgrade-check`, under the `cluster` command.
void AddUpgradeCheckCommand(CLI::App& cluster_app, CommandContext& context);
// `cluster recover`, likewise.
void AddRecoverCommand(CLI::App& cluster_app, CommandContext& context);
void AddBackupCommands(CLI::App& app, CommandContext& context);
void AddDataDirCommands(CLI::App& app, CommandContext& context);
// `completion bash|zsh`: register last, it describes the whole tree.
void AddCompletionCommand(CLI::App& app, CommandContext& context);

}  // namespace ketcd::cli
