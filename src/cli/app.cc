#include "cli/app.h"

#include <google/protobuf/stubs/logging.h>
#include <grpc/support/log.h>

#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>

#include "cli/command_lookup.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"

namespace ketcd::cli {
namespace {

// etcdctl's connection flags, same names and meanings; an unset flag falls
// through to its ETCDCTL_* variable.
void AddConnectionFlags(CLI::App& app, CommandContext& context) {
  auto& s = context.settings;
  auto add = [&app](const char* name, std::optional<std::string>& target, const char* help) {
    app.add_option_function<std::string>(
           name, [&target](const std::string& value) { target = value; }, help)
        ->group("Connection (etcdctl-compatible)");
  };
  add("--endpoints", s.endpoints, "Comma-separated etcd client URLs [ETCDCTL_ENDPOINTS]");
  add("--cacert", s.ca_file, "CA bundle to verify servers [ETCDCTL_CACERT]");
  add("--cert", s.cert_file, "Client certificate [ETCDCTL_CERT]");
  add("--key", s.key_file, "Client private key [ETCDCTL_KEY]");
  add("--user", s.user, "user[:password] for etcd auth [ETCDCTL_USER]");
  add("--password", s.password, "Password for --user [ETCDCTL_PASSWORD]");
  add("--dial-timeout", s.dial_timeout, "Connect timeout, e.g. 2s [ETCDCTL_DIAL_TIMEOUT]");
  add("--command-timeout", s.command_timeout,
      "Per-request timeout, e.g. 5s [ETCDCTL_COMMAND_TIMEOUT]");
  add("--max-recv-bytes", s.max_recv_bytes,
      "Largest response accepted from etcd, in bytes (default 536870912) [ETCDCTL_MAX_RECV_BYTES]");
  auto add_bool = [&app](const char* name, std::optional<std::string>& target, const char* help) {
    app.add_option_function<std::string>(
           name, [&target](const std::string& value) { target = value; }, help)
        ->expected(0, 1)
        ->default_str("true")
        ->group("Connection (etcdctl-compatible)");
  };
  add_bool("--insecure-transport", s.insecure_transport,
           "Plaintext unless TLS is configured (default true) [ETCDCTL_INSECURE_TRANSPORT]");
  add_bool("--insecure-skip-tls-verify", s.insecure_skip_tls_verify,
           "Do not verify the server certificate [ETCDCTL_INSECURE_SKIP_TLS_VERIFY]");
  app.add_option("--host-root", context.host_root,
                 "Where to look for kubeadm/RKE2/k3s etcd settings when none are given "
                 "(/host in a container with the node's root mounted)")
      ->capture_default_str()
      ->group("Connection (etcdctl-compatible)");
}

// gRPC logs handshake and connection errors to stderr on its own; ketcd
// reports each failure once, as one line, so gRPC stays quiet unless --debug.
void QuietGrpcLog(gpr_log_func_args*) {}

}  // namespace

int Run(int argc, char** argv, std::ostream& out, std::ostream& err) {
  // Large listings go through std::cout; C stdio is not used alongside it.
  std::ios::sync_with_stdio(false);
  CommandContext context;
  context.out = &out;
  context.err = &err;
  CLI::App app{"ketcd: operate, inspect, back up and migrate the etcd under Kubernetes"};
  app.name("ketcd");
  app.require_subcommand(1);
  // Global flags may follow the subcommand, as with etcdctl.
  app.fallthrough();
  app.set_version_flag("--version", "ketcd 0.1.0");
  AddConnectionFlags(app, context);
  app.add_option("-w,--write-out", context.write_out, "Output format: simple, table, json, yaml");
  bool debug = false;
  app.add_flag("--debug", debug, "Show gRPC's own log messages");
  app.add_option("-o,--output", context.output, "Output format: json, yaml, table, wide");

  AddConfigCommand(app, context);
  AddEndpointCommands(app, context);
  AddMemberCommands(app, context);
  AddMaintenanceCommands(app, context);
  AddKeyValueCommands(app, context);
  AddDecodeCommands(app, context);
  AddDumpCommand(app, context);
  AddKeyspaceCommands(app, context);
  AddHistoryCommand(app, context);
  AddSnapshotCommands(app, context);
  AddMigrateCommands(app, context);
  AddGenerateCommand(app, context);
  AddClusterCommands(app, context);
  AddBackupCommands(app, context);
  AddDataDirCommands(app, context);
  AddCompletionCommand(app, context);

  if (argc > 1) {
    if (auto unknown = UnknownCommandMessage(app, std::vector<std::string>(argv + 1, argv + argc))) {
      err << "ketcd: " << *unknown << "\n";
      return kExitUsage;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e, out, err);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e, out, err);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e, out, err);
  } catch (const CLI::ParseError& e) {
    err << "ketcd: " << e.what() << " (see ketcd --help)\n";
    return kExitUsage;
  }
  if (!debug) {
    gpr_set_log_function(QuietGrpcLog);
    // libprotobuf logs e.g. invalid UTF-8 in stored strings; the objects
    // are still printed (as Go would: U+FFFD), so that log is noise.
    google::protobuf::SetLogHandler(nullptr);
  }
  auto format = ResolveOutputFormat(context.write_out, context.output);
  if (!format.ok()) {
    err << "ketcd: " << format.status().message() << "\n";
    return kExitUsage;
  }
  context.format = *format;
  if (!context.action) {
    err << "ketcd: no command given (see ketcd --help)\n";
    return kExitUsage;
  }
  // Components return Status; an exception reaching here is a bug, but the
  // operator still gets one line and a documented exit code, not an abort.
  Status status;
  try {
    status = context.action();
  } catch (const std::exception& e) {
    status = Internal(std::string("internal error (please report it): ") + e.what());
  }
  out.flush();
  if (!status.ok()) err << "ketcd: " << status.message() << "\n";
  return ExitCodeFor(status);
}

}  // namespace ketcd::cli
