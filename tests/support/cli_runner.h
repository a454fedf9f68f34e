// Runs the ketcd binary under test and the reference etcdctl, with a clean
// environment (no ETCDCTL_* from the caller) so results depend on flags only.
#pragma once

#include <string>
#include <vector>

#include "support/etcd_cluster.h"
#include "support/process.h"
#include "util/status.h"

namespace ketcd::testing {

CommandResult RunKetcd(const std::vector<std::string>& args, CommandOptions options = {});
// The etcdctl of the etcd under test (EtcdTool), else the one on PATH.
CommandResult RunEtcdctl(const std::vector<std::string>& args, CommandOptions options = {});
// Runs a given etcdctl or etcdutl (one version's own: EtcdTool()) the same way.
CommandResult RunEtcdTool(const std::string& binary, const std::vector<std::string>& args,
                          CommandOptions options = {});

// Concatenates argument lists: Args(cluster.ConnectionFlags(), {"get", "k"}).
std::vector<std::string> Args(std::vector<std::string> first,
                              const std::vector<std::string>& second);

// Turns on etcd authentication with a root user, through etcdctl (the
// reference tool sets it up; ketcd must work with it).
Status EnableRootAuth(const EtcdCluster& cluster, const std::string& password);

// For failure messages: "exit 1, stderr: ...".
std::string Describe(const CommandResult& result);

// Whether command output holds `part`.
inline bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// How many times command output holds `part` (not overlapping).
inline int Occurrences(const std::string& text, const std::string& part) {
  int count = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size())) ++count;
  return count;
}

}  // namespace ketcd::testing
