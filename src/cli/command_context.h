// CommandContext: what every subcommand shares: the connection settings and
// output format from the global flags, and where to print.
#pragma once

#include <functional>
#include <iostream>
#include <memory>
#include <string>

#include "cli/output.h"
#include "etcd/client.h"
#include "etcd/connection_config.h"

namespace ketcd::cli {

struct CommandContext {
  etcd::ConnectionSettings settings;  // from the global flags
  std::string host_root = "/";        // where control-plane discovery looks
  std::string write_out;              // -w
  std::string output;                 // -o
  OutputFormat format = OutputFormat::kSimple;
  std::ostream* out = &std::cout;
  // Every warning, note and error goes here, never to std::cerr directly,
  // so that tests can capture them.
  std::ostream* err = &std::cerr;

  // Whether err is the process's stderr and that is a terminal: progress
  // bars draw only there.
  bool ErrIsTerminal() const;

  // The subcommand chosen on the command line; set by its registration.
  std::function<Status()> action;

  // Resolves flags, environment and discovery into a config.
  Result<etcd::ResolvedConnection> Connection() const;
  // A client over all endpoints, connected (fails with kUnavailable /
  // kUnauthenticated when no endpoint answers).
  Result<std::unique_ptr<etcd::EtcdClient>> Client() const;
  // One client per endpoint, not yet connected, for commands that report on
  // each member (endpoint health/status, defrag). With `whole_cluster`, the
  // endpoints are the client URLs of every member in the member list.
  Result<std::vector<std::unique_ptr<etcd::EtcdClient>>> ClientPerEndpoint(
      bool whole_cluster) const;
};

}  // namespace ketcd::cli
