#include "support/cli_runner.h"

namespace ketcd::testing {
namespace {

CommandResult Run(const std::string& binary, const std::vector<std::string>& args,
                  CommandOptions options) {
  for (const char* name :
       {"ETCDCTL_ENDPOINTS", "ETCDCTL_CACERT", "ETCDCTL_CERT", "ETCDCTL_KEY", "ETCDCTL_USER",
        "ETCDCTL_PASSWORD", "ETCDCTL_INSECURE_TRANSPORT", "ETCDCTL_INSECURE_SKIP_TLS_VERIFY",
        "ETCDCTL_DIAL_TIMEOUT", "ETCDCTL_COMMAND_TIMEOUT"}) {
    if (!options.env.count(name)) options.unset_env.push_back(name);
  }
  options.env.emplace("ETCDCTL_API", "3");
  std::vector<std::string> argv = {binary};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv, options);
}

}  // namespace

CommandResult RunKetcd(const std::vector<std::string>& args, CommandOptions options) {
  return Run(KETCD_BINARY, args, std::move(options));
}

CommandResult RunEtcdctl(const std::vector<std::string>& args, CommandOptions options) {
  static const std::string etcdctl = [] {
    std::string own = EtcdTool("etcdctl");
    return own.empty() ? std::string("etcdctl") : own;
  }();
  return Run(etcdctl, args, std::move(options));
}

CommandResult RunEtcdTool(const std::string& binary, const std::vector<std::string>& args,
                          CommandOptions options) {
  return Run(binary, args, std::move(options));
}

std::vector<std::string> Args(std::vector<std::string> first,
                              const std::vector<std::string>& second) {
  first.insert(first.end(), second.begin(), second.end());
  return first;
}

Status EnableRootAuth(const EtcdCluster& cluster, const std::string& password) {
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"user", "add", "root:" + password},
                                             {"user", "grant-role", "root", "root"},
                                             {"auth", "enable"}}) {
    CommandResult result = RunEtcdctl(Args(cluster.ConnectionFlags(), args));
    if (result.exit_code != 0) return Failed("etcdctl " + args[0] + ": " + Describe(result));
  }
  return Status::Ok();
}

std::string Describe(const CommandResult& result) {
  return "exit " + std::to_string(result.exit_code) + (result.timed_out ? " (timed out)" : "") +
         "\nstdout: " + result.out.substr(0, 2000) + "\nstderr: " + result.err.substr(0, 2000);
}

}  // namespace ketcd::testing
