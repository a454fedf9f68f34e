#include "cluster/host_command.h"

#include <sys/wait.h>

#include <array>
#include <cstdio>

namespace ketcd::cluster {

Result<std::string> ExpandCommand(const std::string& command_template, const Placeholders& values) {
  std::string out;
  size_t i = 0;
  while (i < command_template.size()) {
    const size_t open = command_template.find('{', i);
    if (open == std::string::npos) break;
    const size_t close = command_template.find('}', open);
    if (close == std::string::npos) break;
    out.append(command_template, i, open - i);
    const std::string key = command_template.substr(open + 1, close - open - 1);
    auto it = values.find(key);
    if (it == values.end()) {
      // Shell syntax such as ${VAR} is left alone; a bare {word} is a typo.
      if (open > 0 && command_template[open - 1] == '$') {
        out.append(command_template, open, close - open + 1);
        i = close + 1;
        continue;
      }
      return InvalidArgument("unknown placeholder {" + key + "} in \"" + command_template + "\"");
    }
    out += ShellQuote(it->second);
    i = close + 1;
  }
  out.append(command_template, i, std::string::npos);
  return out;
}

std::string ShellQuote(const std::string& value) {
  std::string quoted = "'";
  for (char c : value) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

Status RunHostCommand(const std::string& command) {
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return Failed("cannot run: " + command);
  std::string output;
  std::array<char, 4096> buffer;
  while (size_t n = fread(buffer.data(), 1, buffer.size(), pipe)) output.append(buffer.data(), n);
  const int status = pclose(pipe);
  if (status == 0) return Status::Ok();
  if (output.size() > 2000) output = "..." + output.substr(output.size() - 2000);
  const std::string how = WIFEXITED(status) ? "exit " + std::to_string(WEXITSTATUS(status)) : "killed";
  return Failed("`" + command + "` failed (" + how + ")" + (output.empty() ? "" : ": " + output));
}

bool IsSafeMemberName(const std::string& name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') return false;
  }
  return true;
}

}  // namespace ketcd::cluster
