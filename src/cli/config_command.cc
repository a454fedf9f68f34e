// ketcd config: the connection settings in force and where each came from
// (flag, ETCDCTL_* variable, kubeadm/RKE2/k3s discovery, or default).
#include <CLI/CLI.hpp>

#include "cli/add_command.h"
#include "cli/commands.h"
#include "util/duration.h"
#include "util/string_building.h"

namespace ketcd::cli {
namespace {

Status ShowConfig(CommandContext& context) {
  auto resolved = context.Connection();
  if (!resolved.ok()) return resolved.status();
  const etcd::ConnectionConfig& c = resolved->config;
  std::string endpoints;
  for (const auto& e : c.endpoints) AppendToList(endpoints, e);
  // Name, value, origin; a password is never printed.
  const std::vector<std::array<std::string, 3>> rows = {
      {"endpoints", endpoints, resolved->origins.at("endpoints")},
      {"cacert", c.ca_file, resolved->origins.at("cacert")},
      {"cert", c.cert_file, resolved->origins.at("cert")},
      {"key", c.key_file, resolved->origins.at("key")},
      {"user", c.user, resolved->origins.at("user")},
      {"password", c.password.empty() ? "" : "(set)",
       resolved->origins.count("password") ? resolved->origins.at("password") : "default"},
      {"transport", c.UsesTls() ? "tls" : "plaintext", ""},
      {"insecure-skip-tls-verify", c.insecure_skip_tls_verify ? "true" : "false",
       resolved->origins.at("insecure-skip-tls-verify")},
      {"dial-timeout", FormatDuration(c.dial_timeout), resolved->origins.at("dial-timeout")},
      {"command-timeout", FormatDuration(c.command_timeout),
       resolved->origins.at("command-timeout")},
      {"max-recv-bytes", std::to_string(c.max_recv_bytes), resolved->origins.at("max-recv-bytes")},
  };
  if (IsStructured(context.format)) {
    Json document = Json::object();
    for (const auto& [name, value, origin] : rows) {
      document[name] = {{"value", value}, {"from", origin}};
    }
    PrintDocument(*context.out, document, context.format);
    return Status::Ok();
  }
  Table table({"SETTING", "VALUE", "FROM"});
  for (const auto& [name, value, origin] : rows) table.AddRow({name, value, origin});
  if (context.format == OutputFormat::kTable) {
    table.Print(*context.out);
  } else {
    for (const auto& [name, value, origin] : rows) {
      *context.out << name << ": " << (value.empty() ? "(none)" : value)
                   << (origin.empty() ? "" : "  (" + origin + ")") << "\n";
    }
  }
  return Status::Ok();
}

}  // namespace

void AddConfigCommand(CLI::App& app, CommandContext& context) {
  AddCommand(app, context, "config", "Show the connection settings and where each came from", ShowConfig);
}

}  // namespace ketcd::cli
