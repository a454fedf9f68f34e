// ketcd completion bash|zsh: a shell completion script generated from the
// command tree itself (subcommands and flags of every command path), plus
// the resource names `get` knows.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <string>
#include <vector>

#include "cli/add_command.h"
#include "cli/commands.h"
#include "k8s/resource_prefix.h"
#include "util/string_building.h"

namespace ketcd::cli {
namespace {

struct CompletionArgs {
  std::string shell;
  const CLI::App* root = nullptr;
};

std::string Join(const std::vector<std::string>& words) {
  std::string joined;
  for (const std::string& word : words) AppendToList(joined, word, " ");
  return joined;
}

// The flags of a command, as typed.
std::vector<std::string> FlagsOf(const CLI::App& command) {
  std::vector<std::string> flags;
  for (const CLI::Option* option : command.get_options()) {
    for (const std::string& name : option->get_lnames()) flags.push_back("--" + name);
    for (const std::string& name : option->get_snames()) flags.push_back("-" + name);
  }
  return flags;
}

// One `case` arm per command path: the words that may follow it.
void AddCases(const CLI::App& command, const std::string& path, const std::vector<std::string>& global_flags,
              std::string& cases) {
  std::vector<std::string> words;
  const auto subcommands = command.get_subcommands([](const CLI::App*) { return true; });
  for (const CLI::App* sub : subcommands) words.push_back(sub->get_name());
  for (const std::string& flag : FlagsOf(command)) words.push_back(flag);
  if (command.get_parent() != nullptr) {  // global flags may follow any command
    for (const std::string& flag : global_flags) {
      if (std::find(words.begin(), words.end(), flag) == words.end() && flag != "--version") words.push_back(flag);
    }
  }
  cases += "    \"" + path + "\") echo \"" + Join(words) + "\" ;;\n";
  for (const CLI::App* sub : subcommands) AddCases(*sub, path + " " + sub->get_name(), global_flags, cases);
}

std::string BashScript(const CLI::App& root) {
  std::string cases;
  AddCases(root, "ketcd", FlagsOf(root), cases);
  return "# ketcd completion for bash: source <(ketcd completion bash)\n"
         "_ketcd_words() {\n"
         "  case \"$1\" in\n" +
         cases +
         "  esac\n"
         "}\n"
         "_ketcd() {\n"
         "  local cur=\"${COMP_WORDS[COMP_CWORD]}\" path=ketcd word i words\n"
         "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
         "    word=\"${COMP_WORDS[i]}\"\n"
         "    [[ \"$word\" == -* ]] && continue\n"
         "    [[ -n \"$(_ketcd_words \"$path $word\")\" ]] && path=\"$path $word\"\n"
         "  done\n"
         "  words=\"$(_ketcd_words \"$path\")\"\n"
         "  if [[ \"$path\" == \"ketcd get\" && \"$cur\" != -* ]]; then\n"
         "    words=\"$words " + Join(k8s::BuiltInResourceNames()) + "\"\n"
         "  fi\n"
         "  COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n"
         "}\n"
         "complete -F _ketcd ketcd\n";
}

Status Completion(CommandContext& context, const CompletionArgs& args) {
  if (args.shell == "zsh") {
    // zsh runs bash completion functions through bashcompinit.
    *context.out << "# ketcd completion for zsh: source <(ketcd completion zsh)\n"
                    "autoload -U +X bashcompinit && bashcompinit\n";
  }
  *context.out << BashScript(*args.root);
  return Status::Ok();
}

}  // namespace

void AddCompletionCommand(CLI::App& app, CommandContext& context) {
  AddCommand<CompletionArgs>(app, context, "completion",
                             "Print a shell completion script: source <(ketcd completion bash)",
                             [&app](CLI::App& completion, CompletionArgs& args) {
                               completion.add_option("shell", args.shell, "bash or zsh")
                                   ->required()
                                   ->check(CLI::IsMember({"bash", "zsh"}));
                               args.root = &app;
                             },
                             Completion);
}

}  // namespace ketcd::cli
