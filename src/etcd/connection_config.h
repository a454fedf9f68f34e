// ConnectionConfig: everything needed to reach an etcd cluster, and how it is
// resolved from etcdctl-compatible flags, ETCDCTL_* environment variables and
// control-plane discovery (see discovery.h), in that order of precedence.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "util/status.h"

namespace ketcd::etcd {

struct ConnectionConfig {
  std::vector<std::string> endpoints = {"127.0.0.1:2379"};
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  // etcdctl semantics: plaintext unless an https endpoint or TLS file is given.
  bool insecure_transport = true;
  bool insecure_skip_tls_verify = false;
  std::string user;  // "name" or "name:password"
  std::string password;
  std::chrono::milliseconds dial_timeout{2000};
  std::chrono::milliseconds command_timeout{5000};
  // The largest gRPC message accepted from etcd (etcdctl's --max-recv-bytes).
  int max_recv_bytes = 512 << 20;

  bool UsesTls() const;
};

// Settings given explicitly by the user; unset ones fall through to the
// environment, then to discovery, then to defaults. Values are raw text as
// typed so that errors can quote them.
struct ConnectionSettings {
  std::optional<std::string> endpoints, ca_file, cert_file, key_file, user, password;
  std::optional<std::string> insecure_transport, insecure_skip_tls_verify;
  std::optional<std::string> dial_timeout, command_timeout, max_recv_bytes;
};

// Where each resolved setting came from, e.g. {"endpoints", "flag --endpoints"}.
using SettingOrigins = std::map<std::string, std::string>;

struct ResolvedConnection {
  ConnectionConfig config;
  SettingOrigins origins;
};

using Environment = std::map<std::string, std::string>;
Environment ProcessEnvironment();

// Resolves flags > ETCDCTL_* variables in `env` > discovery under
// `discovery_root` ("/" in production) > defaults. Discovery runs only when
// neither flags nor environment name an endpoint or a TLS file.
Result<ResolvedConnection> ResolveConnection(const ConnectionSettings& flags,
                                             const Environment& env,
                                             const std::string& discovery_root);

}  // namespace ketcd::etcd
