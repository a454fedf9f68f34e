#include "etcd/connection_config.h"

#include <unistd.h>

#include <cstdlib>
#include <limits>

#include "etcd/discovery.h"
#include "util/duration.h"

extern char** environ;

namespace ketcd::etcd {
namespace {

// One setting: its flag name, its ETCDCTL_* variable and where it lands.
struct Source {
  std::string value;
  std::string origin;
};

std::optional<Source> Pick(const std::optional<std::string>& flag, const char* flag_name,
                           const Environment& env, const char* variable) {
  if (flag) return Source{*flag, std::string("flag --") + flag_name};
  if (auto it = env.find(variable); it != env.end()) {
    return Source{it->second, std::string("environment ") + variable};
  }
  return std::nullopt;
}

Result<bool> ParseBool(const Source& source) {
  const std::string& v = source.value;
  if (v == "true" || v == "1" || v == "t" || v == "TRUE" || v == "True") return true;
  if (v == "false" || v == "0" || v == "f" || v == "FALSE" || v == "False") return false;
  return InvalidArgument(source.origin + ": \"" + v + "\" is not a boolean");
}

std::vector<std::string> SplitCommas(const std::string& text) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) parts.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

}  // namespace

bool ConnectionConfig::UsesTls() const {
  if (!insecure_transport || insecure_skip_tls_verify) return true;
  if (!ca_file.empty() || !cert_file.empty() || !key_file.empty()) return true;
  for (const auto& endpoint : endpoints) {
    if (endpoint.rfind("https://", 0) == 0) return true;
  }
  return false;
}

Environment ProcessEnvironment() {
  Environment env;
  for (char** entry = environ; entry && *entry; ++entry) {
    std::string text(*entry);
    auto eq = text.find('=');
    if (eq != std::string::npos) env[text.substr(0, eq)] = text.substr(eq + 1);
  }
  return env;
}

Result<ResolvedConnection> ResolveConnection(const ConnectionSettings& flags,
                                             const Environment& env,
                                             const std::string& discovery_root) {
  ResolvedConnection resolved;
  ConnectionConfig& config = resolved.config;
  SettingOrigins& origins = resolved.origins;
  for (const char* name : {"endpoints", "cacert", "cert", "key", "user", "insecure-transport",
                           "insecure-skip-tls-verify", "dial-timeout", "command-timeout", "max-recv-bytes"}) {
    origins[name] = "default";
  }

  auto endpoints = Pick(flags.endpoints, "endpoints", env, "ETCDCTL_ENDPOINTS");
  auto ca = Pick(flags.ca_file, "cacert", env, "ETCDCTL_CACERT");
  auto cert = Pick(flags.cert_file, "cert", env, "ETCDCTL_CERT");
  auto key = Pick(flags.key_file, "key", env, "ETCDCTL_KEY");

  if (!endpoints && !ca && !cert && !key) {
    if (auto found = DiscoverControlPlaneEtcd(discovery_root)) {
      std::string origin = found->distribution + " " + found->source;
      endpoints = Source{found->endpoint, origin};
      if (!found->ca_file.empty()) ca = Source{found->ca_file, origin};
      if (!found->cert_file.empty()) cert = Source{found->cert_file, origin};
      if (!found->key_file.empty()) key = Source{found->key_file, origin};
    }
  }
  if (endpoints) {
    config.endpoints = SplitCommas(endpoints->value);
    origins["endpoints"] = endpoints->origin;
  }
  if (ca) config.ca_file = ca->value, origins["cacert"] = ca->origin;
  if (cert) config.cert_file = cert->value, origins["cert"] = cert->origin;
  if (key) config.key_file = key->value, origins["key"] = key->origin;

  if (auto user = Pick(flags.user, "user", env, "ETCDCTL_USER")) {
    config.user = user->value;
    origins["user"] = user->origin;
  }
  if (auto password = Pick(flags.password, "password", env, "ETCDCTL_PASSWORD")) {
    config.password = password->value;
    origins["password"] = password->origin;
  }
  if (auto v =
          Pick(flags.insecure_transport, "insecure-transport", env, "ETCDCTL_INSECURE_TRANSPORT")) {
    auto b = ParseBool(*v);
    if (!b.ok()) return b.status();
    config.insecure_transport = *b;
    origins["insecure-transport"] = v->origin;
  }
  if (auto v = Pick(flags.insecure_skip_tls_verify, "insecure-skip-tls-verify", env,
                    "ETCDCTL_INSECURE_SKIP_TLS_VERIFY")) {
    auto b = ParseBool(*v);
    if (!b.ok()) return b.status();
    config.insecure_skip_tls_verify = *b;
    origins["insecure-skip-tls-verify"] = v->origin;
  }
  if (auto v = Pick(flags.dial_timeout, "dial-timeout", env, "ETCDCTL_DIAL_TIMEOUT")) {
    auto d = ParseDuration(v->value);
    if (!d.ok()) return d.status().WithContext(v->origin);
    config.dial_timeout = *d;
    origins["dial-timeout"] = v->origin;
  }
  if (auto v = Pick(flags.command_timeout, "command-timeout", env, "ETCDCTL_COMMAND_TIMEOUT")) {
    auto d = ParseDuration(v->value);
    if (!d.ok()) return d.status().WithContext(v->origin);
    config.command_timeout = *d;
    origins["command-timeout"] = v->origin;
  }
  if (auto v = Pick(flags.max_recv_bytes, "max-recv-bytes", env, "ETCDCTL_MAX_RECV_BYTES")) {
    char* end = nullptr;
    const long long bytes = std::strtoll(v->value.c_str(), &end, 10);
    if (v->value.empty() || *end != '\0' || bytes < 4096 || bytes > std::numeric_limits<int>::max()) {
      return InvalidArgument(v->origin + ": max-recv-bytes must be a number of bytes from 4096 to 2147483647, not \"" +
                             v->value + "\"");
    }
    config.max_recv_bytes = static_cast<int>(bytes);
    origins["max-recv-bytes"] = v->origin;
  }
  if (config.dial_timeout.count() <= 0 || config.command_timeout.count() <= 0) {
    return InvalidArgument("timeouts must be positive");
  }
  // etcdctl accepts "--user name:password"; split it so the rest of ketcd
  // sees one form.
  if (auto colon = config.user.find(':'); colon != std::string::npos) {
    if (!config.password.empty()) {
      return InvalidArgument("--user contains a password and --password is set too");
    }
    config.password = config.user.substr(colon + 1);
    config.user = config.user.substr(0, colon);
  }
  if (config.cert_file.empty() != config.key_file.empty()) {
    return InvalidArgument("--cert and --key must be given together");
  }
  return resolved;
}

}  // namespace ketcd::etcd
