// The one way a subcommand is registered: its flags are bound to an `Args`
// struct the subcommand owns, and once CLI11 has chosen it, its
// `Status(CommandContext&, const Args&)` function becomes the action main
// runs. No holder to share between subcommands, no stack local to capture.
//
//   struct SaveArgs { std::string path; };
//   Status Save(CommandContext& context, const SaveArgs& args);
//   AddCommand<SaveArgs>(*snapshot, context, "save", "Stream a member's database to FILE",
//                        [](CLI::App& command, SaveArgs& args) {
//                          command.add_option("file", args.path, "Destination")->required();
//                        },
//                        Save);
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "cli/command_context.h"

namespace ketcd::cli {

// A command with no arguments of its own.
struct NoArgs {};

// `bind(CLI::App&, Args&)` adds the flags; `run(CommandContext&, const
// Args&)` does the work. Returns the subcommand (for settings such as
// require_subcommand).
template <typename Args, typename Bind, typename Run>
CLI::App* AddCommand(CLI::App& parent, CommandContext& context, const std::string& name,
                     const std::string& description, Bind bind, Run run) {
  auto args = std::make_shared<Args>();
  CLI::App* command = parent.add_subcommand(name, description);
  bind(*command, *args);
  command->callback([&context, args, run] {
    context.action = [&context, args, run] { return run(context, static_cast<const Args&>(*args)); };
  });
  return command;
}

// A command with no arguments of its own: `run(CommandContext&)`.
template <typename Run>
CLI::App* AddCommand(CLI::App& parent, CommandContext& context, const std::string& name,
                     const std::string& description, Run run) {
  return AddCommand<NoArgs>(parent, context, name, description, [](CLI::App&, NoArgs&) {},
                            [run](CommandContext& c, const NoArgs&) { return run(c); });
}

}  // namespace ketcd::cli
