#include "cli/command_lookup.h"

#include <algorithm>
#include <cctype>

#include "util/edit_distance.h"

namespace ketcd::cli {
namespace {

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

// The named subcommands (option groups are unnamed ones).
std::vector<const CLI::App*> CommandsOf(const CLI::App& app) {
  std::vector<const CLI::App*> commands;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App* sub) { return !sub->get_name().empty(); })) {
    commands.push_back(sub);
  }
  return commands;
}

// The option `word` names on `app` or on a command above it (global flags
// may follow the subcommand).
const CLI::Option* OptionNamed(const CLI::App& app, const std::string& word) {
  for (const CLI::App* at = &app; at != nullptr; at = at->get_parent()) {
    if (const CLI::Option* option = at->get_option_no_throw(word)) return option;
  }
  return nullptr;
}

bool TakesPositionals(const CLI::App& app) {
  return !app.get_options([](const CLI::Option* option) { return option->get_positional(); }).empty();
}

}  // namespace

std::vector<std::string> ClosestNames(const std::string& typed, const std::vector<std::string>& names) {
  const std::string lower = Lower(typed);
  std::vector<std::pair<size_t, std::string>> close;
  for (const std::string& name : names) {
    const size_t distance = EditDistance(lower, Lower(name));
    if (distance <= 2 || (!lower.empty() && Lower(name).rfind(lower, 0) == 0)) close.emplace_back(distance, name);
  }
  std::stable_sort(close.begin(), close.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> closest;
  for (auto& [distance, name] : close) closest.push_back(std::move(name));
  return closest;
}

std::optional<std::string> UnknownCommandMessage(const CLI::App& root, const std::vector<std::string>& args) {
  const CLI::App* command = &root;
  std::string path = root.get_name();
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& word = args[i];
    if (word == "--") break;
    const std::vector<const CLI::App*> commands = CommandsOf(*command);
    if (word.size() > 1 && word[0] == '-') {
      // "--flag=value" and "-ovalue" carry their value; otherwise a flag
      // that takes one is followed by it (an optional value only when the
      // next word is no command).
      const bool attached = word.find('=') != std::string::npos || (word[1] != '-' && word.size() > 2);
      const CLI::Option* option = attached ? nullptr : OptionNamed(*command, word);
      if (option == nullptr || option->get_expected_max() == 0 || i + 1 == args.size()) continue;
      const std::string& next = args[i + 1];
      const bool next_is_command = std::any_of(commands.begin(), commands.end(),
                                               [&](const CLI::App* sub) { return sub->check_name(next); });
      if (option->get_expected_min() > 0 || (next.rfind('-', 0) != 0 && !next_is_command)) ++i;
      continue;
    }
    if (commands.empty()) return std::nullopt;  // the command's own arguments follow
    auto known = std::find_if(commands.begin(), commands.end(),
                              [&](const CLI::App* sub) { return sub->check_name(word); });
    if (known != commands.end()) {
      command = *known;
      path += " " + command->get_name();
      continue;
    }
    if (TakesPositionals(*command)) return std::nullopt;
    std::vector<std::string> names;
    for (const CLI::App* sub : commands) names.push_back(sub->get_name());
    std::string message = "unknown command \"" + word + "\" for \"" + path + "\"\n";
    const std::vector<std::string> closest = ClosestNames(word, names);
    if (!closest.empty()) {
      message += "\nDid you mean this?\n";
      for (const std::string& name : closest) message += "\t" + name + "\n";
    }
    return message + "\nRun '" + path + " --help' for usage.";
  }
  return std::nullopt;
}

}  // namespace ketcd::cli
